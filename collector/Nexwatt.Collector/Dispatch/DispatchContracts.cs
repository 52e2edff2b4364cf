using System.Text.Json;

namespace Nexwatt.Collector.Dispatch;

/// <summary>The body of <c>POST /v1/dispatch</c> (snake_case JSON); every field optional at the JSON level so that all problems are listed at once.</summary>
public sealed record DispatchRequest(string? ResourceId = null, double? MwRequested = null, string? Direction = null, DispatchWindowRequest? Window = null);

/// <summary>The window: <c>start</c> (default now) and either <c>end</c> or <c>duration_s</c>.</summary>
public sealed record DispatchWindowRequest(DateTimeOffset? Start = null, DateTimeOffset? End = null, double? DurationS = null);

/// <summary>
/// The answer of <c>POST /v1/dispatch</c> (201). <c>registered_mw</c> is the nameplate of the resource's linked assets; a
/// request above it is accepted, with its shortfall said in <c>shortfall_mw</c> and the summary.
/// </summary>
public sealed record DispatchCreated(
    string DispatchId,
    string Status,
    string IsoZone,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    double RequestedMw,
    double ExpectedMw,
    double ShortfallMw,
    double RegisteredMw,
    string Summary,
    IReadOnlyList<DispatchAssetView> Assets,
    IReadOnlyList<DispatchExcludedView> Excluded,
    int SetpointsIssued);

public sealed record DispatchAssetView(string AssetId, string SiteId, string DeviceId, string Program, double Kw, double LimitKw, string Reason);

public sealed record DispatchExcludedView(string AssetId, string Reason);

/// <summary>The answer of <c>GET /v1/dispatch/{id}</c>.</summary>
public sealed record DispatchView(
    string DispatchId,
    string ResourceId,
    string IsoZone,
    string Direction,
    string Status,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    DateTimeOffset CreatedAt,
    double RequestedMw,
    double ExpectedMw,
    double ConfirmedMw,
    int Revision,
    DispatchSitesView Sites);

/// <summary>Sites by the state of their current setpoint; failed sites have had their share re-allocated.</summary>
public sealed record DispatchSitesView(IReadOnlyList<string> Acked, IReadOnlyList<string> Pending, IReadOnlyList<string> Failed);

/// <summary>One entry of <c>GET /v1/dispatch/{id}/events</c>.</summary>
public sealed record DispatchEventView(long Seq, DateTimeOffset Time, string Kind, JsonElement Detail);
