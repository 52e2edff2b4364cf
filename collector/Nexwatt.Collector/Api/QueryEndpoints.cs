using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Api;

/// <summary>Read side of the management API: latest state per asset, interval series with quality, fleet totals per ISO zone.</summary>
public static class QueryEndpoints
{
    public static IEndpointRouteBuilder MapQueries(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireAuthorization("management");

        group.MapGet("/assets/{assetId}/latest", async (string assetId, ICollectorStore store, CancellationToken ct) =>
        {
            if (await store.GetAssetAsync(assetId, ct).ConfigureAwait(false) is null)
                return Results.Problem($"asset '{assetId}' is not registered", statusCode: 404);
            var latest = await store.GetLatestAsync(assetId, ct).ConfigureAwait(false);
            return Results.Ok(latest.Select(l => new { measurement = l.Measurement.ToString(), value = l.Value, source_time = l.SourceTime, flags = FlagNames(l.Flags) }));
        });

        group.MapGet("/assets/{assetId}/intervals", async (string assetId, string? measurement, DateTimeOffset? from, DateTimeOffset? to,
            ICollectorStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (!Enum.TryParse<Measurement>(measurement ?? nameof(Measurement.ActivePowerW), ignoreCase: true, out var which))
                return Results.Problem($"measurement must be one of {string.Join(", ", Enum.GetNames<Measurement>())}", statusCode: 400);
            var end = to ?? time.GetUtcNow();
            var start = from ?? end.AddHours(-1);
            if (start >= end || end - start > TimeSpan.FromDays(31))
                return Results.Problem("from must be before to, and the span at most 31 days", statusCode: 400);
            var intervals = await store.GetIntervalsAsync(assetId, which, start, end, ct).ConfigureAwait(false);
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

        group.MapGet("/fleet/totals", async (ICollectorStore store, TimeProvider time, CancellationToken ct) =>
            Results.Ok((await store.GetFleetTotalsAsync(time.GetUtcNow(), ct).ConfigureAwait(false)).Select(z => new
            {
                iso_zone = z.IsoZone,
                assets = z.Assets,
                mw_now = z.MegawattsNow,
                mwh_stored = z.MegawattHoursStored,
                average_soc_pct = z.AverageStateOfChargePct,
                as_of = z.AsOf,
            })));
        return app;
    }

    /// <summary>Flags by name ("late", "gap"...): a flagged value says so in words, never only as a bit mask.</summary>
    public static string[] FlagNames(QualityFlags flags) =>
        Enum.GetValues<QualityFlags>().Where(f => f != QualityFlags.None && flags.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant()).ToArray();
}
