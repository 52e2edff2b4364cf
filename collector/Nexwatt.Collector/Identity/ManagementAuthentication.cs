using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexwatt.Collector.Identity;

/// <summary>
/// Bearer tokens for the management API (registry, queries). Configured as SHA-256 hashes or, for a quick start,
/// in clear (hashed at start). With none configured every management call is refused: nothing is open by default.
/// </summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Collector:Management";

    /// <summary>Lowercase hex SHA-256 of each accepted token.</summary>
    public List<string> TokenSha256 { get; set; } = [];

    /// <summary>Tokens in clear; better given through the environment than in a file.</summary>
    public List<string> Tokens { get; set; } = [];

    public IReadOnlySet<string> AcceptedHashes() =>
        TokenSha256.Select(h => h.Trim().ToLowerInvariant()).Concat(Tokens.Select(SiteIdentityResolver.Sha256)).ToHashSet(StringComparer.Ordinal);
}

internal sealed class ManagementTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ManagementOptions> management) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ManagementToken";
    private readonly IReadOnlySet<string> _accepted = management.Value.AcceptedHashes();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // A gRPC call is a site's (its bearer token is a site token, proven by SiteIdentityResolver), never a
        // management call: no verdict, so no "unknown management token" for every legitimate site call. The one
        // scheme is also the default one that UseAuthentication runs on every request.
        if (Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        var token = SiteIdentityResolver.BearerToken(Request.Headers.Authorization);
        if (token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var hash = Encoding.ASCII.GetBytes(SiteIdentityResolver.Sha256(token));
        // Constant-time comparison against each accepted hash: no timing hint about how close a guess was.
        var match = _accepted.Any(accepted => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(accepted), hash));
        if (!match) return Task.FromResult(AuthenticateResult.Fail("unknown management token"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, "management")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
