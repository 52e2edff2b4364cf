using System.Buffers.Binary;
using System.Text;

namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>
/// Decodes and encodes one point over its registers. Pure: no I/O, no allocation for numbers. The scale of a point
/// with a scale-factor register is applied by the caller, which holds that register's value.
/// </summary>
public static class PointCodec
{
    /// <summary>
    /// The raw value of a numeric point: its words in the point's word and byte order, as one unsigned integer of the
    /// point's width (16, 32 or 64 bits).
    /// </summary>
    public static ulong RawBits(RegisterPoint point, ReadOnlySpan<ushort> words)
    {
        if (words.Length < point.Count) throw new ArgumentException($"{point.Name} needs {point.Count} registers, got {words.Length}", nameof(words));
        ulong raw = 0;
        for (var i = 0; i < point.Count; i++)
        {
            var index = point.WordOrder == WordOrder.HighFirst ? i : point.Count - 1 - i;
            var word = point.ByteOrder == ByteOrder.BigEndian ? words[index] : BinaryPrimitives.ReverseEndianness(words[index]);
            raw = (raw << 16) | word;
        }
        return raw;
    }

    /// <summary>Decodes a register point; <paramref name="scaleExponent"/> is the value of its scale-factor register, if it has one.</summary>
    public static PointValue Decode(RegisterPoint point, ReadOnlySpan<ushort> words, int scaleExponent = 0)
    {
        if (point.Type == PointType.String) return new PointValue(PointValueKind.Text, double.NaN, DecodeString(point, words), 0);
        var raw = RawBits(point, words);
        if (point.Type == PointType.Bool) return new PointValue(PointValueKind.Bool, (raw & point.BitMask) != 0 ? 1 : 0, null, raw);
        foreach (var sentinel in point.NotAvailable)
            if (!sentinel.IsNaN && sentinel.RawBits == raw) return PointValue.NotAvailable(raw);
        double number = point.Type switch
        {
            PointType.Int16 => (short)raw,
            PointType.UInt16 => (ushort)raw,
            PointType.Int32 => (int)raw,
            PointType.UInt32 => (uint)raw,
            PointType.Int64 => (long)raw,
            PointType.UInt64 => raw,
            PointType.Float32 => BitConverter.UInt32BitsToSingle((uint)raw),
            PointType.Float64 => BitConverter.UInt64BitsToDouble(raw),
            _ => throw new InvalidOperationException($"{point.Type} is not numeric"),
        };
        // A NaN or infinity is never a measurement, whether or not the map names NaN as its sentinel.
        if (double.IsNaN(number) || double.IsInfinity(number)) return PointValue.NotAvailable(raw);
        return new PointValue(PointValueKind.Number, number * point.Scale * Math.Pow(10, scaleExponent), null, raw);
    }

    /// <summary>A coil or discrete input.</summary>
    public static PointValue Decode(bool bit) => new(PointValueKind.Bool, bit ? 1 : 0, null, bit ? 1UL : 0);

    /// <summary>
    /// Encodes <paramref name="value"/> (engineering unit) into the point's registers: raw = value / scale, rounded,
    /// checked against the type's range so that a write never wraps around.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit the point's type.</exception>
    public static void Encode(RegisterPoint point, double value, Span<ushort> words, int scaleExponent = 0)
    {
        if (words.Length < point.Count) throw new ArgumentException($"{point.Name} needs {point.Count} registers", nameof(words));
        var scaled = value / point.Scale / Math.Pow(10, scaleExponent);
        if (double.IsNaN(scaled) || double.IsInfinity(scaled)) throw new ArgumentOutOfRangeException(nameof(value), $"{point.Name}: {value} cannot be written");
        var rounded = Math.Round(scaled, MidpointRounding.AwayFromZero);
        ulong raw = point.Type switch
        {
            PointType.Int16 => (ushort)(short)Checked(point, rounded, short.MinValue, short.MaxValue),
            PointType.UInt16 => (ushort)Checked(point, rounded, 0, ushort.MaxValue),
            PointType.Int32 => (uint)(int)Checked(point, rounded, int.MinValue, int.MaxValue),
            PointType.UInt32 => (uint)Checked(point, rounded, 0, uint.MaxValue),
            PointType.Int64 => (ulong)(long)Checked(point, rounded, long.MinValue, long.MaxValue),
            PointType.UInt64 => (ulong)Checked(point, rounded, 0, ulong.MaxValue),
            PointType.Float32 => BitConverter.SingleToUInt32Bits((float)scaled),
            PointType.Float64 => BitConverter.DoubleToUInt64Bits(scaled),
            PointType.Bool => value != 0 ? point.BitMask : 0UL,
            _ => throw new ArgumentException($"{point.Name}: strings are not written", nameof(point)),
        };
        WriteRaw(point, raw, words);
    }

    /// <summary>Lays raw bits into the point's words in its word and byte order (the inverse of <see cref="RawBits"/>).</summary>
    public static void WriteRaw(RegisterPoint point, ulong raw, Span<ushort> words)
    {
        for (var i = point.Count - 1; i >= 0; i--)
        {
            var word = (ushort)raw;
            raw >>= 16;
            var index = point.WordOrder == WordOrder.HighFirst ? i : point.Count - 1 - i;
            words[index] = point.ByteOrder == ByteOrder.BigEndian ? word : BinaryPrimitives.ReverseEndianness(word);
        }
    }

    /// <summary>Encodes text into a string point (simulators and tests build device images with it).</summary>
    public static void EncodeString(RegisterPoint point, string text, Span<ushort> words)
    {
        var bytes = new byte[point.Length * 2];
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, bytes.Length)), bytes);
        for (var i = 0; i < point.Length; i++)
        {
            var word = (ushort)((bytes[2 * i] << 8) | bytes[2 * i + 1]);
            words[i] = point.ByteOrder == ByteOrder.BigEndian ? word : BinaryPrimitives.ReverseEndianness(word);
        }
    }

    private static string DecodeString(RegisterPoint point, ReadOnlySpan<ushort> words)
    {
        Span<byte> bytes = stackalloc byte[point.Length * 2];
        for (var i = 0; i < point.Length; i++)
        {
            var word = point.ByteOrder == ByteOrder.BigEndian ? words[i] : BinaryPrimitives.ReverseEndianness(words[i]);
            bytes[2 * i] = (byte)(word >> 8);
            bytes[2 * i + 1] = (byte)word;
        }
        // Devices pad with NUL or spaces; anything outside printable ASCII is shown as '?', never passed on raw.
        var end = bytes.IndexOf((byte)0);
        if (end >= 0) bytes = bytes[..end];
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        return new string(chars).Trim();
    }

    private static double Checked(RegisterPoint point, double value, double min, double max) =>
        value >= min && value <= max ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"{point.Name}: {value * point.Scale} does not fit a {point.Type} (raw {value})");
}
