using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nexwatt.Collector.Api;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// The dispatch API (management policy, snake_case JSON like the registry): POST /v1/dispatch,
/// GET /v1/dispatch/{id}, GET /v1/dispatch/{id}/events, GET /v1/dispatch/{id}/settlement?format=json|csv.
/// </summary>
public static class DispatchEndpoints
{
    public static IEndpointRouteBuilder MapDispatch(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v1 = app.MapGroup("/v1/dispatch").RequireAuthorization("management");

        v1.MapPost("/", async (HttpRequest request, DispatchService dispatch, CancellationToken ct) =>
        {
            var (body, malformed) = await RegistryJson.ReadAsync<DispatchRequest>(request.Body, ct).ConfigureAwait(false);
            if (body is null) return Rejected([malformed!]);
            var (created, problems) = await dispatch.CreateAsync(body, ct).ConfigureAwait(false);
            return created is null ? Rejected(problems) : Json(created, StatusCodes.Status201Created);
        });

        v1.MapGet("/{id}", async (string id, DispatchService dispatch, CancellationToken ct) =>
            await dispatch.GetAsync(id, ct).ConfigureAwait(false) is { } view ? Json(view, StatusCodes.Status200OK) : NotFound(id))
            .TakesNoQuery();

        v1.MapGet("/{id}/events", async (string id, IDispatchStore store, CancellationToken ct) =>
        {
            if (await store.GetDispatchAsync(id, ct).ConfigureAwait(false) is null) return NotFound(id);
            var events = await store.GetEventsAsync(id, ct).ConfigureAwait(false);
            return Json(events.Select(e => new DispatchEventView(e.Sequence, e.Time, e.Kind, JsonDocument.Parse(e.Detail).RootElement)).ToList(), StatusCodes.Status200OK);
        }).TakesNoQuery();

        v1.MapGet("/{id}/settlement", async (string id, HttpRequest request, IDispatchStore store, DispatchSettlement settlement, CancellationToken ct) =>
        {
            var problems = new List<RegistrationProblem>();
            Api.ApiQuery.Check(request, problems, "format");
            if (problems.Count > 0) return Rejected(problems);
            var format = Api.ApiQuery.Value(request, "format");
            var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
            if (!csv && format is { Length: > 0 } && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
                return Rejected([RegistrationProblem.Invalid("format", $"format '{Api.ApiQuery.Show(format)}' is not json or csv.")]);
            if (await store.GetDispatchAsync(id, ct).ConfigureAwait(false) is not { } record) return NotFound(id);
            Settlement.SettlementReport report;
            try { report = await settlement.BuildAsync(record, ct).ConfigureAwait(false); }
            catch (ArgumentException ex)
            {
                // The stored data cannot make a report (e.g. a window not on the telemetry grid): say why, not 500.
                return Json(new RegistryError("unavailable", [new RegistrationProblem(RegistrationProblem.Error, "settlement_unavailable", null, ex.Message)]),
                    StatusCodes.Status409Conflict);
            }
            var (text, contentType) = DispatchSettlement.Format(report, csv);
            return Results.Text(text, contentType, statusCode: StatusCodes.Status200OK);
        });
        return app;
    }

    private static IResult Json<T>(T value, int status) => Api.ApiProblems.Json(value, status);

    private static IResult Rejected(IReadOnlyList<RegistrationProblem> problems) =>
        Json(new RegistryError("rejected", problems), StatusCodes.Status400BadRequest);

    private static IResult NotFound(string id) =>
        Json(new RegistryError("not_found", [new RegistrationProblem(RegistrationProblem.Error, "not_found", "dispatch_id", $"No dispatch '{Api.ApiQuery.Show(id)}'.")]),
            StatusCodes.Status404NotFound);
}
