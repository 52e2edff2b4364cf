using System.Buffers;

namespace Nexwatt.Protocols.Mqtt.Formatter;

/// <summary>
/// The Variable Byte Integer (MQTT 5.0 section 1.5.5, 3.1.1 section 2.2.3 "Remaining Length"): 7 bits per byte,
/// least significant group first, bit 7 = "more bytes follow", at most 4 bytes, so at most 268,435,455.
/// </summary>
internal static class VariableByteInteger
{
    public const int MaxValue = 268_435_455;
    public const int MaxLength = 4;

    /// <summary>Encoded length of <paramref name="value"/> (1..4).</summary>
    public static int SizeOf(int value) => value switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(value), value, "A variable byte integer is not negative."),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        <= MaxValue => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, $"A variable byte integer is at most {MaxValue}."),
    };

    /// <summary>Writes <paramref name="value"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        var size = SizeOf(value);
        for (var i = 0; i < size; i++)
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = i < size - 1 ? (byte)(digit | 0x80) : digit;
        }
        return size;
    }

    /// <summary>
    /// Reads from a span: false when the span ends before the last byte; throws <see cref="MqttProtocolException"/>
    /// when a 4th byte still has the continuation bit (the value would exceed 268,435,455).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int length)
    {
        value = 0;
        for (var i = 0; i < MaxLength; i++)
        {
            if (i >= source.Length) { length = 0; value = 0; return false; }
            var b = source[i];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) { length = i + 1; return true; }
        }
        throw new MqttProtocolException("Malformed variable byte integer: more than 4 bytes.");
    }

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, out int, out int)"/>, over a sequence starting at <paramref name="offset"/>.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> source, int offset, out int value, out int length)
    {
        Span<byte> head = stackalloc byte[MaxLength];
        var available = (int)Math.Min(MaxLength, source.Length - offset);
        if (available <= 0) { value = 0; length = 0; return false; }
        source.Slice(offset, available).CopyTo(head);
        return TryRead(head[..available], out value, out length);
    }
}
