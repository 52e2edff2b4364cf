using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Nexwatt.Protocols.SunSpec.Tests.Support;

/// <summary>
/// Reads pysunspec v1 "mbmap" register maps (format described in the reference devices/README.md): root &lt;mbmap&gt;
/// with optional addr (default 40000); each &lt;regs&gt; at an optional offset (else right after the previous one),
/// typed s16/u16/s32/u32/s64/u64/f32/f64 (big-endian), string (len registers, NUL padded) or hex (default).
/// </summary>
internal static class MbmapImage
{
    public static (ushort BaseAddress, ushort[] Registers) Load(string path)
    {
        var root = XDocument.Load(path).Root ?? throw new InvalidDataException($"{path}: empty document");
        if (root.Name.LocalName != "mbmap") throw new InvalidDataException($"{path}: root is <{root.Name}>, not <mbmap>");
        var baseAddress = root.Attribute("addr") is { } a ? ushort.Parse(a.Value, CultureInfo.InvariantCulture) : (ushort)40000;
        var registers = new List<ushort>();
        var next = 0;
        foreach (var regs in root.Elements("regs"))
        {
            var offset = regs.Attribute("offset") is { } o ? int.Parse(o.Value, CultureInfo.InvariantCulture) : next;
            var type = regs.Attribute("type")?.Value ?? "hex";
            var text = regs.Value.Trim();
            var words = Encode(type, text, regs.Attribute("len")?.Value, path);
            while (registers.Count < offset + words.Length) registers.Add(0);
            for (var i = 0; i < words.Length; i++) registers[offset + i] = words[i];
            next = offset + words.Length;
        }
        return (baseAddress, registers.ToArray());
    }

    private static ushort[] Encode(string type, string text, string? len, string path)
    {
        switch (type)
        {
            case "s16": return Words(unchecked((ulong)ParseSigned(text)), 1);
            case "u16": return Words(ParseUnsigned(text), 1);
            case "s32": return Words(unchecked((ulong)ParseSigned(text)), 2);
            case "u32": return Words(ParseUnsigned(text), 2);
            case "s64": return Words(unchecked((ulong)ParseSigned(text)), 4);
            case "u64": return Words(ParseUnsigned(text), 4);
            case "f32": return Words((uint)BitConverter.SingleToInt32Bits(float.Parse(text, CultureInfo.InvariantCulture)), 2);
            case "f64": return Words((ulong)BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), 4);
            case "string":
            {
                var count = int.Parse(len ?? throw new InvalidDataException($"{path}: string without len"), CultureInfo.InvariantCulture);
                var bytes = Encoding.UTF8.GetBytes(text);
                var words = new ushort[count];
                for (var i = 0; i < count; i++)
                    words[i] = (ushort)(((2 * i < bytes.Length ? bytes[2 * i] : 0) << 8) | (2 * i + 1 < bytes.Length ? bytes[2 * i + 1] : 0));
                return words;
            }
            case "hex":
            {
                var hex = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
                if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) hex = hex[2..];
                var bytes = Convert.FromHexString(hex.Length % 4 == 0 ? hex : hex.PadRight((hex.Length + 3) / 4 * 4, '0'));
                return Enumerable.Range(0, bytes.Length / 2).Select(i => (ushort)((bytes[2 * i] << 8) | bytes[2 * i + 1])).ToArray();
            }
            default: throw new InvalidDataException($"{path}: unknown regs type '{type}'");
        }
    }

    private static long ParseSigned(string text) => text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? unchecked((long)ulong.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
        : long.Parse(text, CultureInfo.InvariantCulture);

    private static ulong ParseUnsigned(string text) => text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? ulong.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : ulong.Parse(text, CultureInfo.InvariantCulture);

    private static ushort[] Words(ulong value, int count)
    {
        var words = new ushort[count];
        for (var i = count - 1; i >= 0; i--)
        {
            words[i] = (ushort)value;
            value >>= 16;
        }
        return words;
    }
}
