using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nexwatt.Collector.Api;

namespace Nexwatt.Collector.Registry;

/// <summary>
/// The asset registry's HTTP API. Every route requires the <c>management</c> authorization policy, which the host
/// defines. Bodies and answers are snake_case JSON (<see cref="RegistryJson"/>); malformed JSON is a 400 with a
/// problem, never a 500.
/// </summary>
public static class RegistryEndpoints
{
    /// <summary>
    /// Maps POST /v1/assets/register, GET /v1/assets/{id}, GET /v1/assets?iso_zone=&amp;include_retired=,
    /// PATCH /v1/assets/{id}, POST /v1/assets/{id}/retire, POST /v1/assets/{id}/link and GET /v1/enrollment/{zone}.csv.
    /// Needs <see cref="AssetRegistryService"/> in the container.
    /// </summary>
    public static IEndpointRouteBuilder MapRegistry(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v1 = app.MapGroup("/v1").RequireAuthorization("management");

        v1.MapPost("/assets/register", async (HttpRequest request, AssetRegistryService registry, CancellationToken ct) =>
        {
            var (body, malformed) = await RegistryJson.ReadAsync<AssetRegistrationRequest>(request.Body, ct).ConfigureAwait(false);
            if (body is null)
            {
                return Json(new AssetRegistrationResponse(AssetRegistrationResponse.Rejected, null, false, false, [malformed!]), StatusCodes.Status400BadRequest);
            }
            var outcome = await registry.RegisterAsync(body, ct).ConfigureAwait(false);
            return Json(outcome.Value, StatusOf(outcome.Status));
        });

        v1.MapGet("/assets/{id}", async (string id, AssetRegistryService registry, CancellationToken ct) =>
            await registry.GetAsync(id, ct).ConfigureAwait(false) is { } asset
                ? Json(asset, StatusCodes.Status200OK)
                : Json(new RegistryError("not_found", [new RegistrationProblem(RegistrationProblem.Error, "not_found", "asset_id", $"No asset '{Api.ApiQuery.Show(id)}'.")]), StatusCodes.Status404NotFound))
            .TakesNoQuery();

        v1.MapGet("/assets", async (HttpRequest request, AssetRegistryService registry, CancellationToken ct) =>
        {
            var problems = new List<RegistrationProblem>();
            Api.ApiQuery.Check(request, problems, "iso_zone", "include_retired");
            var zone = Api.ApiQuery.Value(request, "iso_zone") ?? "";
            var includeRetired = Api.ApiQuery.Boolean(request, "include_retired", problems);
            if (problems.Count > 0) return Json(new RegistryError("rejected", problems), StatusCodes.Status400BadRequest);
            return Answer(await registry.ListAsync(zone, includeRetired, ct).ConfigureAwait(false));
        });

        v1.MapPatch("/assets/{id}", async (string id, HttpRequest request, AssetRegistryService registry, CancellationToken ct) =>
        {
            var (body, malformed) = await RegistryJson.ReadAsync<AssetUpdateRequest>(request.Body, ct).ConfigureAwait(false);
            return body is null ? Rejected(malformed!) : Answer(await registry.UpdateAsync(id, body, ct).ConfigureAwait(false));
        });

        v1.MapPost("/assets/{id}/retire", async (string id, AssetRegistryService registry, CancellationToken ct) =>
            Answer(await registry.RetireAsync(id, ct).ConfigureAwait(false)));

        v1.MapPost("/assets/{id}/link", async (string id, HttpRequest request, AssetRegistryService registry, CancellationToken ct) =>
        {
            var (body, malformed) = await RegistryJson.ReadAsync<AssetLinkRequest>(request.Body, ct).ConfigureAwait(false);
            return body is null ? Rejected(malformed!) : Answer(await registry.LinkAsync(id, body, ct).ConfigureAwait(false));
        });

        v1.MapGet("/enrollment/{zone}.csv", async (string zone, AssetRegistryService registry, CancellationToken ct) =>
        {
            var outcome = await registry.EnrollmentCsvAsync(zone, ct).ConfigureAwait(false);
            // RFC 4180 registers text/csv; "header=present" tells a reader the first row names the columns.
            return outcome.Succeeded
                ? Results.Text(outcome.Value!, "text/csv; charset=utf-8; header=present", System.Text.Encoding.UTF8)
                : Answer(outcome);
        }).TakesNoQuery();

        return app;
    }

    private static IResult Answer<T>(RegistryOutcome<T> outcome) => outcome.Succeeded
        ? Json(outcome.Value, StatusOf(outcome.Status))
        : Json(new RegistryError(ErrorStatus(outcome.Status), outcome.Problems), StatusOf(outcome.Status));

    private static IResult Rejected(RegistrationProblem problem) =>
        Json(new RegistryError("rejected", [problem]), StatusCodes.Status400BadRequest);

    private static IResult Json<T>(T value, int status) => Api.ApiProblems.Json(value, status);

    private static int StatusOf(RegistryStatus status) => status switch
    {
        RegistryStatus.Ok => StatusCodes.Status200OK,
        RegistryStatus.Created => StatusCodes.Status201Created,
        RegistryStatus.Invalid => StatusCodes.Status400BadRequest,
        RegistryStatus.NotFound => StatusCodes.Status404NotFound,
        RegistryStatus.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string ErrorStatus(RegistryStatus status) => status switch
    {
        RegistryStatus.NotFound => "not_found",
        RegistryStatus.Conflict => "conflict",
        _ => "rejected",
    };
}
