using System.Globalization;
using System.Net;
using System.Text;

namespace Nexwatt.Protocols.SunSpec.Internal;

/// <summary>
/// Register ↔ value conversion for one point. Sentinels follow the SunSpec Information Model Specification
/// ("unimplemented" values per type); scale factors apply value × 10^sf.
/// </summary>
internal static class PointCodec
{
    public const short ScaleFactorNotImplemented = unchecked((short)0x8000);
    private const uint Float32NaNBits = 0x7FC00000;
    private const ulong Eui48Mask = 0xFFFF_FFFF_FFFFUL;

    private static readonly decimal[] PowersOfTen = Enumerable.Range(0, 29).Select(i => Pow10Decimal(i)).ToArray();

    /// <summary>True when the type's register order follows the block's word order.</summary>
    private static bool UsesWordOrder(SunSpecPointType type) => type is not (SunSpecPointType.String or SunSpecPointType.Ipv6Addr or SunSpecPointType.Eui48);

    public static ulong ReadBits(ReadOnlySpan<ushort> registers, int size, SunSpecWordOrder order)
    {
        ulong bits = 0;
        for (var i = 0; i < size; i++)
            bits = (bits << 16) | registers[order == SunSpecWordOrder.HighWordFirst ? i : size - 1 - i];
        return bits;
    }

    public static void WriteBits(Span<ushort> registers, int size, ulong bits, SunSpecWordOrder order)
    {
        for (var i = size - 1; i >= 0; i--)
        {
            registers[order == SunSpecWordOrder.HighWordFirst ? i : size - 1 - i] = (ushort)bits;
            bits >>= 16;
        }
    }

    /// <summary>The register image of "not implemented" for a point.</summary>
    public static void WriteSentinel(SunSpecPointDefinition point, Span<ushort> registers)
    {
        var target = registers[..point.Size];
        switch (point.Type)
        {
            case SunSpecPointType.String or SunSpecPointType.Ipv6Addr or SunSpecPointType.IpAddr
                or SunSpecPointType.Acc16 or SunSpecPointType.Acc32 or SunSpecPointType.Acc64 or SunSpecPointType.Raw16:
                target.Clear();
                break;
            case SunSpecPointType.Int16 or SunSpecPointType.Sunssf or SunSpecPointType.Pad:
                target[0] = 0x8000;
                break;
            case SunSpecPointType.Int32:
                WriteBits(target, 2, 0x8000_0000UL, SunSpecWordOrder.HighWordFirst);
                break;
            case SunSpecPointType.Int64:
                WriteBits(target, 4, 0x8000_0000_0000_0000UL, SunSpecWordOrder.HighWordFirst);
                break;
            case SunSpecPointType.Float32:
                WriteBits(target, 2, Float32NaNBits, SunSpecWordOrder.HighWordFirst);
                break;
            case SunSpecPointType.Float64:
                WriteBits(target, 4, (ulong)BitConverter.DoubleToInt64Bits(double.NaN), SunSpecWordOrder.HighWordFirst);
                break;
            default: // unsigned, enum, bitfield, count, eui48: all ones
                target.Fill(0xFFFF);
                break;
        }
    }

    /// <summary>Writes the sentinel honouring the word order (sentinels of 32/64-bit types are not palindromes).</summary>
    public static void WriteSentinel(SunSpecPointDefinition point, Span<ushort> registers, SunSpecWordOrder order)
    {
        WriteSentinel(point, registers);
        if (order == SunSpecWordOrder.LowWordFirst && point.Size > 1 && UsesWordOrder(point.Type))
            registers[..point.Size].Reverse();
    }

    /// <summary>Decodes a point. <paramref name="scaleFactor"/> is the resolved scale factor (null = unscaled).</summary>
    public static SunSpecValue Decode(SunSpecPointDefinition point, ReadOnlySpan<ushort> registers, SunSpecWordOrder order, short? scaleFactor, bool scaleFactorMissing)
    {
        var regs = registers[..point.Size];
        switch (point.Type)
        {
            case SunSpecPointType.Pad:
                return SunSpecValue.NotImplemented;
            case SunSpecPointType.String:
                return DecodeString(regs);
            case SunSpecPointType.Ipv6Addr:
                return DecodeIpv6(regs);
            case SunSpecPointType.Eui48:
                return DecodeEui48(regs);
            case SunSpecPointType.Float32:
            {
                var f = BitConverter.Int32BitsToSingle((int)(uint)ReadBits(regs, 2, order));
                return float.IsNaN(f) ? SunSpecValue.NotImplemented : Number(point, f, 0, (ulong)ReadBits(regs, 2, order), scaleFactor, scaleFactorMissing, isFloat: true);
            }
            case SunSpecPointType.Float64:
            {
                var bits = ReadBits(regs, 4, order);
                var d = BitConverter.Int64BitsToDouble((long)bits);
                return double.IsNaN(d) ? SunSpecValue.NotImplemented : Number(point, d, 0, bits, scaleFactor, scaleFactorMissing, isFloat: true);
            }
        }

        var raw = ReadBits(regs, point.Size, order);
        if (IsSentinel(point.Type, raw)) return SunSpecValue.NotImplemented;
        var signed = ToSigned(point.Type, raw);
        switch (point.Type)
        {
            case SunSpecPointType.IpAddr:
                return new SunSpecValue
                {
                    Kind = SunSpecValueKind.Address, Raw = signed, RawBits = raw, Units = point.Units,
                    Text = $"{(raw >> 24) & 0xFF}.{(raw >> 16) & 0xFF}.{(raw >> 8) & 0xFF}.{raw & 0xFF}",
                };
            case SunSpecPointType.Enum16 or SunSpecPointType.Enum32:
                string? symbol = null;
                foreach (var s in point.Symbols)
                    if (s.Value == signed) { symbol = s.Name; break; }
                return new SunSpecValue { Kind = SunSpecValueKind.Enum, Raw = signed, RawBits = raw, Value = signed, Symbol = symbol, Units = point.Units };
            case SunSpecPointType.Bitfield16 or SunSpecPointType.Bitfield32 or SunSpecPointType.Bitfield64:
                var names = new List<string>();
                foreach (var s in point.Symbols)
                    if (s.Value is >= 0 and < 64 && (raw & (1UL << (int)s.Value)) != 0) names.Add(s.Name);
                return new SunSpecValue { Kind = SunSpecValueKind.Bitfield, Raw = signed, RawBits = raw, Value = raw, Bits = names, Units = point.Units };
            case SunSpecPointType.Sunssf:
                return new SunSpecValue { Kind = SunSpecValueKind.Number, Raw = signed, RawBits = raw, Value = signed };
        }
        var number = point.Type is SunSpecPointType.UInt64 or SunSpecPointType.Acc64 ? (double)raw : signed;
        return Number(point, number, signed, raw, scaleFactor, scaleFactorMissing, isFloat: false);
    }

    private static SunSpecValue Number(SunSpecPointDefinition point, double number, long signed, ulong raw, short? sf, bool sfMissing, bool isFloat)
    {
        if (sfMissing) return SunSpecValue.NotImplemented;
        double value;
        if (sf is null or 0) value = number;
        else if (isFloat || point.Type is SunSpecPointType.UInt64 or SunSpecPointType.Acc64) value = ScaleDouble(number, sf.Value);
        else value = Scale(signed, sf.Value);
        return new SunSpecValue { Kind = SunSpecValueKind.Number, Raw = signed, RawBits = raw, Value = value, ScaleFactor = sf, Units = point.Units };
    }

    /// <summary>raw × 10^sf, exact in decimal so that 5999 × 10^-2 prints as 59.99.</summary>
    public static double Scale(long raw, int sf)
    {
        if (sf == 0) return raw;
        if (sf < 0 && sf >= -28) return (double)(raw / PowersOfTen[-sf]);
        return ScaleDouble(raw, sf);
    }

    private static double ScaleDouble(double number, int sf)
    {
        if (sf < 0 && sf >= -28 && Math.Abs(number) < 7.9e27)
        {
            try { return (double)((decimal)number / PowersOfTen[-sf]); }
            catch (OverflowException) { }
        }
        return sf < 0 ? number / Math.Pow(10, -sf) : number * Math.Pow(10, sf);
    }

    public static bool IsSentinel(SunSpecPointType type, ulong raw) => type switch
    {
        SunSpecPointType.Int16 or SunSpecPointType.Sunssf => raw == 0x8000,
        SunSpecPointType.UInt16 or SunSpecPointType.Enum16 or SunSpecPointType.Bitfield16 or SunSpecPointType.Count => raw == 0xFFFF,
        SunSpecPointType.Acc16 or SunSpecPointType.Acc32 or SunSpecPointType.Acc64 or SunSpecPointType.IpAddr => raw == 0,
        SunSpecPointType.Int32 => raw == 0x8000_0000,
        SunSpecPointType.UInt32 or SunSpecPointType.Enum32 or SunSpecPointType.Bitfield32 => raw == 0xFFFF_FFFF,
        SunSpecPointType.Int64 => raw == 0x8000_0000_0000_0000,
        SunSpecPointType.UInt64 or SunSpecPointType.Bitfield64 => raw == ulong.MaxValue,
        _ => false,
    };

    private static long ToSigned(SunSpecPointType type, ulong raw) => type switch
    {
        SunSpecPointType.Int16 or SunSpecPointType.Sunssf => (short)raw,
        SunSpecPointType.Int32 => (int)raw,
        _ => (long)raw,
    };

    private static SunSpecValue DecodeString(ReadOnlySpan<ushort> regs)
    {
        Span<byte> bytes = stackalloc byte[regs.Length * 2];
        for (var i = 0; i < regs.Length; i++)
        {
            bytes[2 * i] = (byte)(regs[i] >> 8);
            bytes[2 * i + 1] = (byte)regs[i];
        }
        var end = bytes.IndexOf((byte)0);
        if (end < 0) end = bytes.Length;
        if (end == 0) return SunSpecValue.NotImplemented;
        return new SunSpecValue { Kind = SunSpecValueKind.Text, Text = Encoding.UTF8.GetString(bytes[..end]) };
    }

    private static SunSpecValue DecodeIpv6(ReadOnlySpan<ushort> regs)
    {
        var bytes = new byte[16];
        var any = false;
        for (var i = 0; i < 8 && i < regs.Length; i++)
        {
            bytes[2 * i] = (byte)(regs[i] >> 8);
            bytes[2 * i + 1] = (byte)regs[i];
            any |= regs[i] != 0;
        }
        return any ? new SunSpecValue { Kind = SunSpecValueKind.Address, Text = new IPAddress(bytes).ToString() } : SunSpecValue.NotImplemented;
    }

    private static SunSpecValue DecodeEui48(ReadOnlySpan<ushort> regs)
    {
        var bits = ReadBits(regs, 4, SunSpecWordOrder.HighWordFirst) & Eui48Mask;
        if (bits == Eui48Mask) return SunSpecValue.NotImplemented;
        var text = string.Join(':', Enumerable.Range(0, 6).Select(i => ((bits >> (8 * (5 - i))) & 0xFF).ToString("X2", CultureInfo.InvariantCulture)));
        return new SunSpecValue { Kind = SunSpecValueKind.Address, Raw = (long)bits, RawBits = bits, Text = text };
    }

    /// <summary>The range of raw integers a type can carry, with or without its sentinel.</summary>
    public static (decimal Min, decimal Max) RawRange(SunSpecPointType type, bool allowSentinel)
    {
        var s = allowSentinel ? 0m : 1m;
        return type switch
        {
            SunSpecPointType.Int16 or SunSpecPointType.Sunssf => (short.MinValue + s, short.MaxValue),
            SunSpecPointType.UInt16 or SunSpecPointType.Enum16 or SunSpecPointType.Bitfield16 or SunSpecPointType.Count => (0, ushort.MaxValue - s),
            SunSpecPointType.Acc16 or SunSpecPointType.Raw16 or SunSpecPointType.Pad => (0, ushort.MaxValue),
            SunSpecPointType.Int32 => (int.MinValue + s, int.MaxValue),
            SunSpecPointType.UInt32 or SunSpecPointType.Enum32 or SunSpecPointType.Bitfield32 => (0, uint.MaxValue - s),
            SunSpecPointType.Acc32 or SunSpecPointType.IpAddr => (0, uint.MaxValue),
            SunSpecPointType.Int64 => (long.MinValue + s, long.MaxValue),
            SunSpecPointType.UInt64 or SunSpecPointType.Bitfield64 => (0, ulong.MaxValue - s),
            SunSpecPointType.Acc64 => (0, ulong.MaxValue),
            SunSpecPointType.Eui48 => (0, Eui48Mask - s),
            _ => (0, -1),
        };
    }

    public static bool IsInteger(SunSpecPointType type) => type is not (SunSpecPointType.Float32 or SunSpecPointType.Float64
        or SunSpecPointType.String or SunSpecPointType.Ipv6Addr);

    public static bool IsFloat(SunSpecPointType type) => type is SunSpecPointType.Float32 or SunSpecPointType.Float64;

    /// <summary>Writes a raw integer after checking the type's range.</summary>
    public static void EncodeRaw(SunSpecPointDefinition point, string path, decimal raw, Span<ushort> registers, SunSpecWordOrder order, bool allowSentinel)
    {
        if (!IsInteger(point.Type))
            throw new SunSpecEncodingException($"point {path} is {point.TypeName}; it takes {(IsFloat(point.Type) ? "a float" : "a string")} value, not a raw integer");
        var (min, max) = RawRange(point.Type, allowSentinel);
        if (raw < min || raw > max)
            throw new SunSpecEncodingException(
                $"value {raw.ToString(CultureInfo.InvariantCulture)} is out of range for point {path} ({point.TypeName}: raw {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)})");
        var bits = raw < 0 ? unchecked((ulong)(long)raw) : (ulong)raw;
        var size = point.Type == SunSpecPointType.Eui48 ? 4 : point.Size;
        WriteBits(registers[..size], size, bits, UsesWordOrder(point.Type) ? order : SunSpecWordOrder.HighWordFirst);
    }

    /// <summary>Converts an engineering value into the raw integer for scale factor <paramref name="sf"/>, rounding half away from zero.</summary>
    public static decimal Unscale(SunSpecPointDefinition point, string path, double value, int sf)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            throw new SunSpecEncodingException($"value {value.ToString(CultureInfo.InvariantCulture)} cannot be written to point {path}");
        try
        {
            var d = (decimal)value;
            if (sf < 0) d *= Pow10Decimal(-sf);
            else if (sf > 0) d /= Pow10Decimal(sf);
            return Math.Round(d, 0, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            throw new SunSpecEncodingException($"value {value.ToString("R", CultureInfo.InvariantCulture)} is out of range for point {path} ({point.TypeName}, sf {sf})");
        }
    }

    public static void EncodeScaled(SunSpecPointDefinition point, string path, double value, int sf, Span<ushort> registers, SunSpecWordOrder order)
    {
        if (IsFloat(point.Type))
        {
            EncodeFloat(point, path, sf == 0 ? value : value / Math.Pow(10, sf), registers, order);
            return;
        }
        if (!IsInteger(point.Type)) throw new SunSpecEncodingException($"point {path} is {point.TypeName}; it does not take a number");
        if (sf is < -28 or > 28) throw new SunSpecEncodingException($"scale factor {sf} of point {path} is out of range");
        var raw = Unscale(point, path, value, sf);
        var (min, max) = RawRange(point.Type, allowSentinel: false);
        if (raw < min || raw > max)
            throw new SunSpecEncodingException(
                $"value {value.ToString("R", CultureInfo.InvariantCulture)} is out of range for point {path} ({point.TypeName}, sf {sf}: " +
                $"{Scale(min, sf)}..{Scale(max, sf)})");
        EncodeRaw(point, path, raw, registers, order, allowSentinel: false);
    }

    private static string Scale(decimal raw, int sf) =>
        (sf >= 0 ? raw * Pow10Decimal(sf) : raw / Pow10Decimal(-sf)).ToString(CultureInfo.InvariantCulture);

    public static void EncodeFloat(SunSpecPointDefinition point, string path, double value, Span<ushort> registers, SunSpecWordOrder order)
    {
        switch (point.Type)
        {
            case SunSpecPointType.Float32:
                if (!double.IsNaN(value) && (value > float.MaxValue || value < float.MinValue))
                    throw new SunSpecEncodingException($"value {value.ToString("R", CultureInfo.InvariantCulture)} is out of range for point {path} (float32)");
                WriteBits(registers, 2, (uint)BitConverter.SingleToInt32Bits((float)value), order);
                break;
            case SunSpecPointType.Float64:
                WriteBits(registers, 4, (ulong)BitConverter.DoubleToInt64Bits(value), order);
                break;
            default:
                throw new SunSpecEncodingException($"point {path} is {point.TypeName}, not a float");
        }
    }

    public static void EncodeString(SunSpecPointDefinition point, string path, string value, Span<ushort> registers)
    {
        if (point.Type != SunSpecPointType.String) throw new SunSpecEncodingException($"point {path} is {point.TypeName}, not a string");
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > point.Size * 2)
            throw new SunSpecEncodingException($"string of {bytes.Length} bytes does not fit point {path} ({point.Size * 2} bytes)");
        if (bytes.AsSpan().IndexOf((byte)0) >= 0) throw new SunSpecEncodingException($"string for point {path} contains a NUL character");
        for (var i = 0; i < point.Size; i++)
        {
            var hi = 2 * i < bytes.Length ? bytes[2 * i] : (byte)0;
            var lo = 2 * i + 1 < bytes.Length ? bytes[2 * i + 1] : (byte)0;
            registers[i] = (ushort)((hi << 8) | lo);
        }
    }

    private static decimal Pow10Decimal(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++) result *= 10m;
        return result;
    }
}
