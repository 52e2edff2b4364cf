using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Identity;

/// <summary>Who a caller proved to be, and how.</summary>
public sealed record SiteCaller(string SiteId, string Method);

/// <summary>The outcome of proving a site's identity: the site, or why not (for the status and the log line).</summary>
public sealed record SiteIdentityResult(SiteCaller? Caller, string? Problem)
{
    public static SiteIdentityResult Proven(string siteId, string method) => new(new SiteCaller(siteId, method), null);
    public static SiteIdentityResult Refused(string problem) => new(null, problem);
}

/// <summary>
/// Proves which site is calling: a client certificate (already chained to the site CA by Kestrel; its subject CN
/// is the site id) or, where TLS ends at a proxy, a per-site bearer token (only its SHA-256 is stored). Either
/// way the site must be registered. The payload never names the site: it comes from here.
/// </summary>
public sealed class SiteIdentityResolver(ICollectorStore store)
{
    public async Task<SiteIdentityResult> ResolveAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var certificate = context.Connection.ClientCertificate;
        if (certificate is not null)
        {
            var siteId = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (string.IsNullOrEmpty(siteId)) return SiteIdentityResult.Refused("client certificate has no common name");
            var site = await store.GetSiteAsync(siteId, cancellationToken).ConfigureAwait(false);
            if (site is null) return SiteIdentityResult.Refused($"certificate names site '{siteId}', which is not registered");
            return SiteIdentityResult.Proven(site.SiteId, "certificate");
        }

        var token = BearerToken(context.Request.Headers.Authorization);
        if (token is null) return SiteIdentityResult.Refused("no client certificate and no site token");
        var byToken = await store.FindSiteByTokenAsync(Sha256(token), cancellationToken).ConfigureAwait(false);
        return byToken is null ? SiteIdentityResult.Refused("unknown site token") : SiteIdentityResult.Proven(byToken.SiteId, "token");
    }

    public static string? BearerToken(string? header) =>
        header is { Length: > 7 } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? h[7..].Trim() : null;

    /// <summary>Tokens are stored and compared as lowercase hex SHA-256, never in clear.</summary>
    public static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A new random site token (256 bits, URL-safe), shown once at registration.</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
