using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Api;

/// <summary>Read side of the management API: latest state per asset, interval series with quality, fleet totals per ISO zone.</summary>
public static class QueryEndpoints
{
    public static IEndpointRouteBuilder MapQueries(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireAuthorization("management");

        group.MapGet("/assets/{assetId}/latest", async (string assetId, HttpRequest request, ICollectorStore store, CancellationToken ct) =>
        {
            var problems = new List<RegistrationProblem>();
            ApiQuery.Check(request, problems);
            if (problems.Count > 0) return ApiProblems.Rejected(problems);
            if (await store.GetAssetAsync(assetId, ct).ConfigureAwait(false) is null) return AssetNotFound(assetId);
            var latest = await store.GetLatestAsync(assetId, ct).ConfigureAwait(false);
            return Results.Ok(latest.Select(l => new { measurement = l.Measurement.ToString(), value = l.Value, source_time = l.SourceTime, flags = FlagNames(l.Flags) }));
        });

        group.MapGet("/assets/{assetId}/intervals", async (string assetId, HttpRequest request, ICollectorStore store, TimeProvider time, CancellationToken ct) =>
        {
            var problems = new List<RegistrationProblem>();
            ApiQuery.Check(request, problems, "measurement", "from", "to");
            var which = ParseMeasurement(ApiQuery.Value(request, "measurement"), problems);
            var from = ApiQuery.Time(request, "from", problems);
            var to = ApiQuery.Time(request, "to", problems);
            if (problems.Count > 0) return ApiProblems.Rejected(problems);
            var end = to ?? Min(time.GetUtcNow(), ApiQuery.LatestTime);
            var start = from ?? Max(end.AddHours(-1), ApiQuery.EarliestTime);
            if (start >= end || end - start > MaximumSpan)
                return ApiProblems.Rejected([RegistrationProblem.Invalid("from", $"from ({start:O}) must be before to ({end:O}), and the span at most {MaximumSpan.TotalDays} days.")]);
            if (await store.GetAssetAsync(assetId, ct).ConfigureAwait(false) is not { } asset) return AssetNotFound(assetId);
            // 31 days of a 1 s asset would be 2.7 million intervals in one answer: bounded by count as well as by span.
            if ((end - start).Ticks / asset.TelemetryInterval.Ticks > MaximumIntervals)
                return ApiProblems.Rejected([RegistrationProblem.Invalid("from",
                    $"from {start:O} to {end:O} holds more than {MaximumIntervals} intervals of {asset.TelemetryInterval.TotalSeconds} s; ask for a shorter span.")]);
            var intervals = await store.GetIntervalsAsync(assetId, which!.Value, start, end, ct).ConfigureAwait(false);
            return Results.Ok(intervals.Select(i => new
            {
                start = i.Start,
                length_s = i.Length.TotalSeconds,
                average = i.Average,
                min = i.Minimum,
                max = i.Maximum,
                last = i.Last,
                coverage = i.Coverage,
                samples = i.SampleCount,
                flags = FlagNames(i.Flags),
            }));
        });

        group.MapGet("/fleet/totals", async (HttpRequest request, ICollectorStore store, TimeProvider time, CancellationToken ct) =>
        {
            var problems = new List<RegistrationProblem>();
            ApiQuery.Check(request, problems);
            if (problems.Count > 0) return ApiProblems.Rejected(problems);
            return Results.Ok((await store.GetFleetTotalsAsync(time.GetUtcNow(), ct).ConfigureAwait(false)).Select(z => new
            {
                iso_zone = z.IsoZone,
                assets = z.Assets,
                mw_now = z.MegawattsNow,
                mwh_stored = z.MegawattHoursStored,
                average_soc_pct = z.AverageStateOfChargePct,
                as_of = z.AsOf,
            }));
        });
        return app;
    }

    /// <summary>The most intervals one query may answer (e.g. 5.7 days of 5 s intervals).</summary>
    public const int MaximumIntervals = 100_000;

    /// <summary>The longest span one interval query may cover.</summary>
    public static readonly TimeSpan MaximumSpan = TimeSpan.FromDays(31);

    private static IResult AssetNotFound(string assetId) =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, "not_found", "asset_id", $"No asset '{ApiQuery.Show(assetId)}'.");

    // By name only: Enum.TryParse would also take "999", "-1" (undefined values) and "A,B" (a flags combination).
    private static Measurement? ParseMeasurement(string? text, List<RegistrationProblem> problems)
    {
        if (text is null) return Measurement.ActivePowerW;
        foreach (var name in Enum.GetNames<Measurement>())
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return Enum.Parse<Measurement>(name);
        problems.Add(RegistrationProblem.Invalid("measurement",
            $"measurement '{ApiQuery.Show(text)}' is not one of {string.Join(", ", Enum.GetNames<Measurement>())}."));
        return null;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Flags by name ("late", "gap"...): a flagged value says so in words, never only as a bit mask.</summary>
    public static string[] FlagNames(QualityFlags flags) =>
        Enum.GetValues<QualityFlags>().Where(f => f != QualityFlags.None && flags.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant()).ToArray();
}
