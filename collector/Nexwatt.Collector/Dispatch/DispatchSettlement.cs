using Microsoft.Extensions.Options;
using Nexwatt.Collector.Dispatch.Settlement;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// Builds a dispatch's settlement input from storage: the instructed spans (what each asset was asked for, and
/// when) and each instructed asset's active-power intervals over the baseline period and the window.
/// </summary>
internal sealed class DispatchSettlement(ICollectorStore store, IDispatchStore dispatches, IOptions<DispatchOptions> options)
{
    public async Task<SettlementReport> BuildAsync(DispatchRecord record, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var spans = await dispatches.GetSpansAsync(record.DispatchId, cancellationToken).ConfigureAwait(false);
        var schedule = spans.Where(s => s.Kilowatts > 0 && s.To > s.From)
            .Select(s => new InstructedSpan(s.AssetId, s.SiteId, s.Program, s.Kilowatts, s.From, s.To))
            .ToList();
        var telemetry = new List<AssetTelemetry>();
        foreach (var assetId in schedule.Select(s => s.AssetId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var asset = await store.GetAssetAsync(assetId, cancellationToken).ConfigureAwait(false);
            var interval = asset?.TelemetryInterval ?? TimeSpan.FromSeconds(5);
            // The baseline is the intervals on the asset's grid that end at or before the window start: fetch from the
            // grid line below the start, so an instruction that starts mid-interval still gets all of them.
            var from = IntervalGrid.Floor(record.WindowStart, interval) - interval * settings.SettlementBaselineIntervals;
            var intervals = await store.GetIntervalsAsync(assetId, Measurement.ActivePowerW, from, record.WindowEnd, cancellationToken).ConfigureAwait(false);
            telemetry.Add(new AssetTelemetry(assetId, interval, intervals));
        }
        var input = new SettlementInput(record.DispatchId, record.ResourceId, record.Direction, record.MegawattsRequested, record.WindowStart, record.WindowEnd,
            (decimal)settings.CapacityPricePerMw, settings.Currency, schedule, telemetry)
        {
            BaselineIntervals = settings.SettlementBaselineIntervals,
        };
        return new SettlementReportBuilder().Build(input);
    }

    /// <summary>The report as CSV or JSON: the body and its content type.</summary>
    public static (string Body, string ContentType) Format(SettlementReport report, bool csv)
    {
        if (!csv) return (SettlementJson.Serialize(report), "application/json; charset=utf-8");
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        SettlementCsv.Write(report, text);
        return (text.ToString(), "text/csv; charset=utf-8");
    }
}
