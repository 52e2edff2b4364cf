using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Nexwatt.Protocols.Enphase.Auth;

/// <summary>
/// The client side of HTTP Digest (RFC 7616, algorithm MD5, qop=auth) as gateways below firmware 7 ask for it:
/// <c>WWW-Authenticate: Digest qop="auth", realm="enphaseenergy.com", nonce="…"</c>. Pure: the caller supplies the
/// client nonce and counts requests per server nonce.
/// </summary>
public static partial class DigestAuthenticator
{
    /// <summary>A parsed Digest challenge.</summary>
    public sealed record Challenge(string Realm, string Nonce, string? Opaque, string Algorithm, bool QopAuth);

    /// <summary>Parses a WWW-Authenticate value; null when it is not a Digest challenge we can answer (MD5, qop auth or none).</summary>
    public static Challenge? ParseChallenge(string header)
    {
        var text = header.Trim();
        if (!text.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)) return null;
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in FieldPattern().Matches(text[7..]))
            fields[m.Groups[1].Value] = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
        if (!fields.TryGetValue("nonce", out var nonce) || !fields.TryGetValue("realm", out var realm)) return null;
        var algorithm = fields.GetValueOrDefault("algorithm", "MD5");
        if (!algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase)) return null;
        var qop = fields.GetValueOrDefault("qop");
        var qopAuth = qop is not null && qop.Split(',').Any(q => q.Trim().Equals("auth", StringComparison.OrdinalIgnoreCase));
        if (qop is not null && !qopAuth) return null;
        return new Challenge(realm, nonce, fields.GetValueOrDefault("opaque"), algorithm, qopAuth);
    }

    /// <summary>The Authorization header value answering <paramref name="challenge"/> for one request.</summary>
    public static string Authorization(Challenge challenge, string user, string password, string method, string uri, string clientNonce, int nonceCount)
    {
        var ha1 = Md5Hex($"{user}:{challenge.Realm}:{password}");
        var ha2 = Md5Hex($"{method}:{uri}");
        var nc = nonceCount.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var response = challenge.QopAuth
            ? Md5Hex($"{ha1}:{challenge.Nonce}:{nc}:{clientNonce}:auth:{ha2}")
            : Md5Hex($"{ha1}:{challenge.Nonce}:{ha2}");
        var header = new StringBuilder($"Digest username=\"{user}\", realm=\"{challenge.Realm}\", nonce=\"{challenge.Nonce}\", uri=\"{uri}\", algorithm=MD5, response=\"{response}\"");
        if (challenge.QopAuth) header.Append($", qop=auth, nc={nc}, cnonce=\"{clientNonce}\"");
        if (challenge.Opaque is not null) header.Append($", opaque=\"{challenge.Opaque}\"");
        return header.ToString();
    }

    /// <summary>The default password of user "envoy": the last six digits of the gateway serial.</summary>
    public static string DefaultEnvoyPassword(string serial) =>
        serial.Length >= 6 ? serial[^6..] : throw new ArgumentException($"serial '{serial}' is shorter than six digits", nameof(serial));

    // MD5 is what the gateway's Digest realm requires (RFC 7616 §3.3 keeps it for compatibility); not used for secrecy here.
#pragma warning disable CA5351
    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    [GeneratedRegex(@"([a-zA-Z]+)\s*=\s*(?:""([^""]*)""|([^,\s]+))")]
    private static partial Regex FieldPattern();
}
