using System.Globalization;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Dispatch.Settlement;

/// <summary>
/// The settlement report as one CSV table (RFC 4180: CRLF line ends, a header row, fields quoted when they hold a
/// comma, quote, CR or LF). Every row names the dispatch and its level: <c>asset_interval</c>,
/// <c>cohort_interval</c>, <c>fleet_interval</c> (power columns in kW), then <c>asset_total</c>,
/// <c>cohort_total</c>, <c>fleet_total</c> (energy columns in MWh). Columns a level does not use are empty. Times
/// are UTC ISO 8601; flags are lower-case names joined with <c>|</c>; numbers use the invariant culture.
/// </summary>
public static class SettlementCsv
{
    /// <summary>The header, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "dispatch_id", "level", "interval_start", "interval_end", "cohort", "asset_id", "site_id",
        "requested_kw", "instructed_kw", "metered_kw", "baseline_kw", "delivered_kw",
        "requested_mwh", "instructed_mwh", "delivered_mwh", "performance_ratio",
        "asset_count", "flagged_count", "flags", "baseline_flags", "capacity_payment",
    ];

    /// <summary>Writes the report to <paramref name="writer"/>.</summary>
    public static void Write(SettlementReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        Row(writer, report.DispatchId, Columns);
        var id = report.DispatchId;
        foreach (var r in report.AssetIntervals)
        {
            Row(writer, id, ["asset_interval", Time(r.Start), Time(r.End), r.Cohort, r.AssetId, r.SiteId,
                "", N(r.InstructedKw), N(r.MeteredKw), N(r.BaselineKw), N(r.DeliveredKw),
                "", "", "", "", "", r.IsFlagged ? "1" : "0", Flags(r.Flags), Flags(r.BaselineFlags), ""]);
        }
        foreach (var r in report.CohortIntervals)
        {
            Row(writer, id, ["cohort_interval", Time(r.Start), Time(r.End), r.Cohort, "", "",
                "", N(r.InstructedKw), N(r.MeteredKw), N(r.BaselineKw), N(r.DeliveredKw),
                "", "", "", "", I(r.AssetCount), I(r.FlaggedAssets), Flags(r.Flags), "", ""]);
        }
        foreach (var r in report.FleetIntervals)
        {
            Row(writer, id, ["fleet_interval", Time(r.Start), Time(r.End), "", "", "",
                N(r.RequestedMw * 1000), N(r.InstructedMw * 1000), "", "", N(r.DeliveredMw * 1000),
                "", "", "", N(r.PerformanceRatio), "", I(r.FlaggedAssets), Flags(r.Flags), "", ""]);
        }
        foreach (var t in report.Assets)
        {
            Row(writer, id, ["asset_total", Time(report.WindowStart), Time(report.WindowEnd), t.Cohort, t.AssetId, t.SiteId,
                "", "", "", N(t.BaselineKw), "",
                "", N(t.InstructedMwh), N(t.DeliveredMwh), N(t.PerformanceRatio), "", I(t.FlaggedIntervals), "", Flags(t.BaselineFlags), ""]);
        }
        foreach (var t in report.Cohorts)
        {
            Row(writer, id, ["cohort_total", Time(report.WindowStart), Time(report.WindowEnd), t.Cohort, "", "",
                "", "", "", "", "",
                "", N(t.InstructedMwh), N(t.DeliveredMwh), N(t.PerformanceRatio), I(t.AssetCount), I(t.FlaggedIntervals), "", "",
                t.CapacityPayment.ToString("0.00", CultureInfo.InvariantCulture)]);
        }
        var f = report.Fleet;
        Row(writer, id, ["fleet_total", Time(report.WindowStart), Time(report.WindowEnd), "", "", "",
            N(report.MegawattsRequested * 1000), "", "", "", "",
            N(f.RequestedMwh), N(f.InstructedMwh), N(f.DeliveredMwh), N(f.PerformanceRatio), I(report.Assets.Count), I(f.FlaggedIntervals), "", "",
            report.Payment.Amount.ToString("0.00", CultureInfo.InvariantCulture)]);
    }

    /// <summary>Flags as lower-case names joined with <c>|</c>, in bit order; empty for none.</summary>
    public static string Flags(QualityFlags flags) =>
        string.Join('|', Enum.GetValues<QualityFlags>().Where(f => f != QualityFlags.None && flags.HasFlag(f))
            .Select(f => f.ToString().ToLowerInvariant()));

    private static void Row(TextWriter writer, string dispatchId, IReadOnlyList<string> fields)
    {
        // The header row passes the column names; data rows are prefixed with the dispatch id.
        var header = ReferenceEquals(fields, Columns);
        if (!header) writer.Write(Field(dispatchId) + ",");
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) writer.Write(',');
            writer.Write(Field(fields[i]));
        }
        writer.Write("\r\n");
    }

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>Rounded to 0.1 mW/mWh-scale noise: 7 decimals, trailing zeros trimmed.</summary>
    private static string N(double? value) => value is { } v ? Math.Round(v, 7).ToString("0.#######", CultureInfo.InvariantCulture) : "";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
