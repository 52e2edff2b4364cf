using System.Text;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>
/// grpc-message (PROTOCOL-HTTP2.md, Status-Message): UTF-8, then percent-encoding of every byte outside
/// %x20-%x24 / %x26-%x7E (space and VCHAR except '%'), upper-case hex. Decoding never fails: a broken
/// %-sequence is kept as is, invalid UTF-8 becomes U+FFFD.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string message)
    {
        var needs = false;
        foreach (var c in message) if (!IsUnreserved(c)) { needs = true; break; }
        if (!needs) return message;
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length + 16);
        foreach (var b in bytes)
        {
            if (IsUnreserved((char)b)) builder.Append((char)b);
            else builder.Append('%').Append(Hex(b >> 4)).Append(Hex(b & 0xF));
        }
        return builder.ToString();
    }

    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal)) return value;
        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && HexValue(value[i + 1]) is { } high && HexValue(value[i + 2]) is { } low)
            {
                bytes.Add((byte)(high << 4 | low));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // Not what the grammar allows, but kept: a lone surrogate becomes U+FFFD.
                Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed);
                bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
                i += consumed - 1;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsUnreserved(char c) => c is >= ' ' and <= '~' and not '%';

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static int? HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => null,
    };
}
