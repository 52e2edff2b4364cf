using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// HTTP Digest (RFC 7616 with MD5 and qop=auth, as gateways below firmware 7 answer:
/// <c>Digest qop="auth", realm="enphaseenergy.com", nonce=…</c>). Users: <c>envoy</c> with the last six digits of the
/// serial, and <c>installer</c> with a configured password. Nonces are ours, random, and forgotten after a bound.
/// </summary>
internal sealed class DigestAuthenticator(string serial, string installerPassword)
{
    public const string Realm = "enphaseenergy.com";
    private const int MaxNonces = 1024;

    private readonly ConcurrentDictionary<string, byte> _nonces = new();

    public static string DefaultEnvoyPassword(string serial) => serial.Length >= 6 ? serial[^6..] : serial;

    /// <summary>A fresh challenge for <c>WWW-Authenticate</c>.</summary>
    public string Challenge()
    {
        if (_nonces.Count >= MaxNonces) _nonces.Clear();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _nonces[nonce] = 0;
        return $"Digest qop=\"auth\", realm=\"{Realm}\", nonce=\"{nonce}\"";
    }

    /// <summary>True when <paramref name="authorization"/> is a Digest answer to one of our nonces with a known password.</summary>
    public bool IsAuthorized(string? authorization, string method)
    {
        if (authorization is null || !authorization.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)) return false;
        var fields = Parse(authorization.AsSpan(7));
        if (!fields.TryGetValue("username", out var user) || !fields.TryGetValue("nonce", out var nonce)
            || !fields.TryGetValue("uri", out var uri) || !fields.TryGetValue("response", out var response)) return false;
        if (!_nonces.ContainsKey(nonce)) return false;
        if (fields.TryGetValue("realm", out var realm) && realm != Realm) return false;
        var password = user switch
        {
            "envoy" => DefaultEnvoyPassword(serial),
            // Without a configured password the installer user does not exist (an empty one would let anyone in).
            "installer" when installerPassword.Length > 0 => installerPassword,
            _ => null,
        };
        if (password is null) return false;
        var ha1 = Md5($"{user}:{Realm}:{password}");
        var ha2 = Md5($"{method}:{uri}");
        var expected = fields.TryGetValue("qop", out var qop) && qop == "auth"
            && fields.TryGetValue("nc", out var nc) && fields.TryGetValue("cnonce", out var cnonce)
            ? Md5($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            : Md5($"{ha1}:{nonce}:{ha2}");
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()));
    }

    /// <summary>Parses <c>key="value", key=value</c> pairs of a Digest header.</summary>
    internal static Dictionary<string, string> Parse(ReadOnlySpan<char> text)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            var keyStart = i;
            while (i < text.Length && text[i] != '=') i++;
            if (i >= text.Length) break;
            var key = text[keyStart..i].Trim().ToString();
            i++;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var end = text[(i + 1)..].IndexOf('"');
                if (end < 0) break;
                value = text.Slice(i + 1, end).ToString();
                i += end + 2;
            }
            else
            {
                var end = text[i..].IndexOf(',');
                value = (end < 0 ? text[i..] : text.Slice(i, end)).Trim().ToString();
                i = end < 0 ? text.Length : i + end;
            }
            fields[key] = value;
        }
        return fields;
    }

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
