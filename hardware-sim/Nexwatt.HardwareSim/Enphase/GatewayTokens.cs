using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// JWT bearer tokens of a token-firmware gateway (7 and later). Real tokens are ES256 JWTs from Enphase's token
/// service with claims <c>aud</c> (the gateway serial), <c>iss</c> "Entrez", <c>enphaseUser</c> (owner or installer),
/// <c>exp</c> and <c>iat</c>. The simulator signs its own with a key made at start, so a test can only present tokens
/// the simulator minted (<see cref="Mint"/>, or the files written by <c>--token-dir</c>), and checks signature,
/// audience and expiry. Revocation (the "401 after N requests" fault) rejects every token minted before it.
/// </summary>
internal sealed class GatewayTokens : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _serial;
    private readonly TimeProvider _time;
    private long _revokedBefore = long.MinValue;

    public GatewayTokens(string serial, TimeProvider time)
    {
        _serial = serial;
        _time = time;
    }

    /// <summary>A token for <paramref name="user"/> ("owner" or "installer") expiring <paramref name="lifetime"/> from now (negative = already expired).</summary>
    public string Mint(string user, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        var header = new JsonObject { ["kid"] = "nexwatt-sim", ["typ"] = "JWT", ["alg"] = "ES256" };
        var payload = new JsonObject
        {
            ["aud"] = _serial,
            ["iss"] = "Entrez",
            ["enphaseUser"] = user,
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
            ["username"] = user + "@example.invalid",
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        // JWS ES256 signatures are the raw r||s pair (IEEE P1363), which is .NET's default format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>Tokens minted up to now stop being accepted (a revoked token answers 401 like an expired one).</summary>
    public void RevokeAll() => Interlocked.Exchange(ref _revokedBefore, _time.GetUtcNow().ToUnixTimeSeconds() + 1);

    /// <summary>Null when the token is valid for this gateway, else why not (for the simulator's log).</summary>
    public string? Check(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return "not a JWT";
        byte[] signature;
        JsonNode? payload;
        try
        {
            signature = Base64UrlDecode(parts[2]);
            payload = JsonNode.Parse(Base64UrlDecode(parts[1]));
        }
        catch (Exception ex) when (ex is FormatException or JsonException) { return "malformed JWT"; }
        if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256)) return "bad signature";
        if (payload?["aud"]?.GetValue<string>() != _serial) return "audience is not this gateway";
        var exp = payload["exp"]?.GetValue<long>() ?? 0;
        var iat = payload["iat"]?.GetValue<long>() ?? 0;
        if (exp <= _time.GetUtcNow().ToUnixTimeSeconds()) return "expired";
        if (iat < Interlocked.Read(ref _revokedBefore)) return "revoked";
        return null;
    }

    /// <summary>Writes owner.jwt (a year), installer.jwt (12 h), near-expiry.jwt (10 days) and expired.jwt to a folder.</summary>
    public void WriteFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "owner.jwt"), Mint("owner", TimeSpan.FromDays(365)));
        File.WriteAllText(Path.Combine(directory, "installer.jwt"), Mint("installer", TimeSpan.FromHours(12)));
        File.WriteAllText(Path.Combine(directory, "near-expiry.jwt"), Mint("owner", TimeSpan.FromDays(10)));
        File.WriteAllText(Path.Combine(directory, "expired.jwt"), Mint("owner", TimeSpan.FromDays(-1)));
    }

    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
