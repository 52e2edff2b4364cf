namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>Coil and discrete-input packing: the first bit is the least significant bit of the first byte (6.1).</summary>
internal static class ModbusBits
{
    public static int ByteCount(int bitCount) => (bitCount + 7) / 8;

    public static void Pack(ReadOnlySpan<bool> values, Span<byte> destination)
    {
        destination[..ByteCount(values.Length)].Clear();
        for (var i = 0; i < values.Length; i++)
            if (values[i]) destination[i >> 3] |= (byte)(1 << (i & 7));
    }

    public static void Unpack(ReadOnlySpan<byte> source, Span<bool> destination)
    {
        for (var i = 0; i < destination.Length; i++)
            destination[i] = (source[i >> 3] & (1 << (i & 7))) != 0;
    }
}
