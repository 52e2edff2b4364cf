using System.Net;
using System.Net.Sockets;

namespace Nexwatt.EdgeAgent.Configuration;

/// <summary>
/// An IPv4 range to probe: "a.b.c.d", "a.b.c.d-a.b.c.e", "a.b.c.d-e" (last octet) or CIDR "a.b.c.d/nn".
/// Bounded so that a typo cannot start a scan of millions of hosts.
/// </summary>
public sealed record AddressRange(IPAddress First, IPAddress Last)
{
    public const int MaxAddresses = 4096;

    public int Count => (int)(ToUInt32(Last) - ToUInt32(First) + 1);

    public IEnumerable<IPAddress> Addresses()
    {
        for (var value = ToUInt32(First); value <= ToUInt32(Last); value++)
        {
            yield return FromUInt32(value);
            if (value == uint.MaxValue) yield break;
        }
    }

    public static bool TryParse(string text, out AddressRange? range, out string error)
    {
        range = null;
        text = text.Trim();
        if (text.Contains('/'))
        {
            var parts = text.Split('/');
            if (parts.Length != 2 || !TryParseV4(parts[0], out var network) || !int.TryParse(parts[1], out var prefix) || prefix is < 0 or > 32)
            { error = $"'{text}' is not a CIDR range like 192.168.1.0/28"; return false; }
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            var first = ToUInt32(network) & mask;
            range = new AddressRange(FromUInt32(first), FromUInt32(first | ~mask));
        }
        else if (text.Contains('-'))
        {
            var parts = text.Split('-', 2);
            if (!TryParseV4(parts[0], out var first)) { error = $"'{parts[0]}' in '{text}' is not an IPv4 address"; return false; }
            IPAddress? last;
            if (byte.TryParse(parts[1], out var lastOctet))
            {
                var bytes = first.GetAddressBytes();
                bytes[3] = lastOctet;
                last = new IPAddress(bytes);
            }
            else if (!TryParseV4(parts[1], out last)) { error = $"'{parts[1]}' in '{text}' is not an IPv4 address or last octet"; return false; }
            if (ToUInt32(last) < ToUInt32(first)) { error = $"range '{text}' ends before it starts"; return false; }
            range = new AddressRange(first, last);
        }
        else if (TryParseV4(text, out var single)) range = new AddressRange(single, single);
        else { error = $"'{text}' is not an IPv4 address, a range a.b.c.d-e or a CIDR block"; return false; }

        if (range.Count > MaxAddresses) { error = $"range '{text}' holds {range.Count} addresses; at most {MaxAddresses} are probed"; range = null; return false; }
        error = "";
        return true;
    }

    public static AddressRange Parse(string text) => TryParse(text, out var range, out var error) ? range! : throw new FormatException(error);

    private static bool TryParseV4(string text, out IPAddress address)
    {
        if (IPAddress.TryParse(text.Trim(), out var parsed) && parsed.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3)
        { address = parsed; return true; }
        address = IPAddress.None;
        return false;
    }

    private static uint ToUInt32(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress FromUInt32(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
