using System.Text;
using System.Text.Json;

namespace Nexwatt.Protocols.Enphase.Auth;

/// <summary>
/// What the agent reads from an Enphase JWT: its expiry and whether it is an owner or installer token. The signature
/// is not checked here: the gateway checks it (/auth/check_jwt), and the agent holds no Enphase key.
/// </summary>
/// <param name="UserType">The "enphaseUser" claim: "owner" or "installer" (null when absent).</param>
public sealed record JwtToken(string Raw, DateTimeOffset? ExpiresAt, DateTimeOffset? IssuedAt, string? UserType, string? Serial)
{
    /// <summary>How long before expiry the agent starts warning.</summary>
    public static readonly TimeSpan WarnBefore = TimeSpan.FromDays(30);

    /// <summary>Reads header.payload.signature; throws <see cref="FormatException"/> with the reason on anything else.</summary>
    public static JwtToken Parse(string token)
    {
        var raw = token.Trim();
        var parts = raw.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0)
            throw new FormatException($"the token is not a JWT (expected three dot-separated parts, found {parts.Length})");
        JsonElement claims;
        try
        {
            using var document = JsonDocument.Parse(Base64Url(parts[1]));
            claims = document.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new FormatException($"the token's payload is not base64url JSON ({e.Message})", e);
        }
        if (claims.ValueKind != JsonValueKind.Object) throw new FormatException("the token's payload is not a JSON object");
        return new JwtToken(raw, Epoch(claims, "exp"), Epoch(claims, "iat"), Text(claims, "enphaseUser"), Text(claims, "username") is { } u && u.All(char.IsDigit) ? u : Text(claims, "aud"));
    }

    public JwtLifetime LifetimeAt(DateTimeOffset now) => ExpiresAt switch
    {
        null => JwtLifetime.NoExpiry,
        { } exp when exp <= now => JwtLifetime.Expired,
        { } exp when exp - now <= WarnBefore => JwtLifetime.NearExpiry,
        _ => JwtLifetime.Valid,
    };

    /// <summary>Never prints the token itself: only what identifies it.</summary>
    public override string ToString() => $"{UserType ?? "unknown"} token, expires {ExpiresAt?.ToString("u") ?? "never"}";

    private static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        return Convert.FromBase64String(s);
    }

    private static DateTimeOffset? Epoch(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var s) && s is > 0 and < 32503680000
            ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static string? Text(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

public enum JwtLifetime { Valid, NearExpiry, Expired, NoExpiry }
