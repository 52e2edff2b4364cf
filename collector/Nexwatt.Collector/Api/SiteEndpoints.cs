using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Identity;

namespace Nexwatt.Collector.Api;

public sealed record SiteRegistration(
    [property: JsonPropertyName("site_id")] string? SiteId,
    [property: JsonPropertyName("certificate_subject")] string? CertificateSubject,
    [property: JsonPropertyName("issue_token")] bool? IssueToken);

public sealed record SiteRegistered(
    [property: JsonPropertyName("site_id")] string SiteId,
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("note")] string Note);

/// <summary>Sites allowed to send telemetry. A site token is returned once, at registration; only its hash is kept.</summary>
public static class SiteEndpoints
{
    public static IEndpointRouteBuilder MapSites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sites").RequireAuthorization("management");
        group.MapPost("/", async (SiteRegistration? request, ICollectorStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
        {
            if (request?.SiteId is not { Length: > 0 } siteId || !siteId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return Results.Problem("site_id is required and may hold only letters, digits, '-', '_' and '.'", statusCode: 400);
            var token = request.IssueToken != false ? SiteIdentityResolver.NewToken() : null;
            var existing = await store.GetSiteAsync(siteId, ct).ConfigureAwait(false);
            await store.UpsertSiteAsync(new SiteRecord(siteId, token is null ? existing?.TokenSha256 : SiteIdentityResolver.Sha256(token),
                request.CertificateSubject ?? existing?.CertificateSubject, existing?.CreatedAt ?? time.GetUtcNow()), ct).ConfigureAwait(false);
            SiteLog.Registered(loggers.CreateLogger("Nexwatt.Collector.Sites"), siteId, existing is null, token is not null,
                request.CertificateSubject ?? existing?.CertificateSubject ?? "none");
            return Results.Ok(new SiteRegistered(siteId, token, token is null
                ? "no token issued: the site proves itself with its client certificate"
                : "store this token now: it is not shown again; registering the site again issues a new one and revokes this one"));
        });
        group.MapGet("/{siteId}", async (string siteId, ICollectorStore store, CancellationToken ct) =>
            await store.GetSiteAsync(siteId, ct).ConfigureAwait(false) is { } site
                ? Results.Ok(new { site_id = site.SiteId, has_token = site.TokenSha256 is not null, certificate_subject = site.CertificateSubject, created_at = site.CreatedAt })
                : Results.Problem($"site '{siteId}' is not registered", statusCode: 404));
        return app;
    }
}
