using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Identity;
using Nexwatt.Collector.Registry;

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
        group.MapPost("/", async (HttpRequest http, ICollectorStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var (request, malformed) = await RegistryJson.ReadAsync<SiteRegistration>(http.Body, ct).ConfigureAwait(false);
            if (request is null) return ApiProblems.Rejected([malformed!]);
            var problems = Validate(request);
            if (problems.Count > 0) return ApiProblems.Rejected(problems);
            var siteId = request.SiteId!;
            var token = request.IssueToken != false ? SiteIdentityResolver.NewToken() : null;
            var existing = await store.GetSiteAsync(siteId, ct).ConfigureAwait(false);
            await store.UpsertSiteAsync(new SiteRecord(siteId, token is null ? existing?.TokenSha256 : SiteIdentityResolver.Sha256(token),
                request.CertificateSubject ?? existing?.CertificateSubject, existing?.CreatedAt ?? time.GetUtcNow()), ct).ConfigureAwait(false);
            SiteLog.Registered(loggers.CreateLogger("Nexwatt.Collector.Sites"), siteId, existing is null, token is not null,
                request.CertificateSubject ?? existing?.CertificateSubject ?? "none");
            // 201 for a new site, 200 for a registration again (a new token), as asset registration answers.
            return ApiProblems.Json(new SiteRegistered(siteId, token, token is null
                ? "no token issued: the site proves itself with its client certificate"
                : "store this token now: it is not shown again; registering the site again issues a new one and revokes this one"),
                existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });
        group.MapGet("/{siteId}", async (string siteId, ICollectorStore store, CancellationToken ct) =>
            await store.GetSiteAsync(siteId, ct).ConfigureAwait(false) is { } site
                ? Results.Ok(new { site_id = site.SiteId, has_token = site.TokenSha256 is not null, certificate_subject = site.CertificateSubject, created_at = site.CreatedAt })
                : ApiProblems.Problem(StatusCodes.Status404NotFound, "not_found", "site_id", $"Site '{ApiQuery.Show(siteId)}' is not registered."))
            .TakesNoQuery();
        return app;
    }

    /// <summary>The longest certificate subject kept (an X.500 CN is at most 64 characters; a whole DN stays well under this).</summary>
    public const int MaximumCertificateSubjectLength = 256;

    private static List<RegistrationProblem> Validate(SiteRegistration request)
    {
        var problems = new List<RegistrationProblem>();
        // The same id rules as assets: the site id becomes part of MQTT topics and file names at the edge.
        if (string.IsNullOrEmpty(request.SiteId))
            problems.Add(RegistrationProblem.Invalid("site_id", "site_id is required."));
        else if (!AssetRegistrationValidator.IsValidId(request.SiteId))
            problems.Add(RegistrationProblem.Invalid("site_id", "site_id may hold only letters, digits, '.', '_' and '-' (1 to 64, starting with a letter or digit)."));
        if (request.CertificateSubject is { } subject
            && (subject.Length is 0 or > MaximumCertificateSubjectLength || subject.Any(char.IsControl)))
            problems.Add(RegistrationProblem.Invalid("certificate_subject",
                $"certificate_subject must be 1 to {MaximumCertificateSubjectLength} characters without control characters."));
        return problems;
    }
}
