using Nexwatt.Collector.Dispatch.Settlement;
using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Dispatch.Settlement.SettlementData;

namespace Nexwatt.Collector.Tests.Dispatch.Settlement;

public class SettlementCsvTests
{
    private static readonly SettlementReport Report = new SettlementReportBuilder().Build(Input());

    private static string[] Lines()
    {
        using var writer = new StringWriter();
        SettlementCsv.Write(Report, writer);
        var text = writer.ToString();
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        return text[..^2].Split("\r\n");
    }

    [Fact]
    public void Header_and_one_row_per_asset_cohort_and_fleet_interval_and_total()
    {
        var lines = Lines();

        Assert.Equal(
            "dispatch_id,level,interval_start,interval_end,cohort,asset_id,site_id,requested_kw,instructed_kw,metered_kw,baseline_kw,delivered_kw,"
            + "requested_mwh,instructed_mwh,delivered_mwh,performance_ratio,asset_count,flagged_count,flags,baseline_flags,capacity_payment",
            lines[0]);
        Assert.Equal(1 + 12 + 6 + 3 + 4 + 2 + 1, lines.Length);
        Assert.All(lines, l => Assert.Equal(21, l.Split(',').Length));
        Assert.Equal(["asset_interval", "cohort_interval", "fleet_interval", "asset_total", "cohort_total", "fleet_total"],
            lines.Skip(1).Select(l => l.Split(',')[1]).Distinct());
    }

    [Fact]
    public void Rows_format_numbers_times_and_flags()
    {
        var lines = Lines();

        Assert.Contains("d-1,asset_interval,2026-06-21T17:00:00Z,2026-06-21T17:05:00Z,basic,a1,s1,,4,5,1,4,,,,,,0,,,", lines);
        Assert.Contains("d-1,asset_interval,2026-06-21T17:05:00Z,2026-06-21T17:10:00Z,basic,a2,s2,,3.5,,-0.5,0,,,,,,1,missing,missing,", lines);
        Assert.Contains("d-1,asset_interval,2026-06-21T17:00:00Z,2026-06-21T17:05:00Z,basic,a2,s2,,2,1.5,-0.5,2,,,,,,1,late,missing,", lines);
        Assert.Contains("d-1,cohort_interval,2026-06-21T17:00:00Z,2026-06-21T17:05:00Z,basic,,,,6,6.5,0.5,6,,,,,2,1,missing|late,,", lines);
        Assert.Contains("d-1,fleet_interval,2026-06-21T17:05:00Z,2026-06-21T17:10:00Z,,,,12,15.5,,,9,,,,0.75,,2,missing,,", lines);
        Assert.Contains("d-1,asset_total,2026-06-21T17:00:00Z,2026-06-21T17:15:00Z,basic,a1,s1,,,,1,,,0.001,0.0009167,0.9166667,,0,,,", lines);
        Assert.Contains("d-1,cohort_total,2026-06-21T17:00:00Z,2026-06-21T17:15:00Z,premium,,,,,,,,,0.002,0.0014,0.7,2,4,,,5.96", lines);
        Assert.Equal("d-1,fleet_total,2026-06-21T17:00:00Z,2026-06-21T17:15:00Z,,,,12,,,,,0.003,0.0037917,0.0028167,0.9388889,4,7,,,12.00", lines[^1]);
    }

    [Fact]
    public void Fields_with_commas_or_quotes_are_quoted()
    {
        var report = Report with
        {
            DispatchId = "d,1",
            Cohorts = [Report.Cohorts[0] with { Cohort = "basic \"A\"" }],
            AssetIntervals = [], CohortIntervals = [], FleetIntervals = [], Assets = [],
        };
        using var writer = new StringWriter();
        SettlementCsv.Write(report, writer);

        Assert.Contains("\"d,1\",cohort_total,2026-06-21T17:00:00Z,2026-06-21T17:15:00Z,\"basic \"\"A\"\"\",", writer.ToString(), StringComparison.Ordinal);
        Assert.Equal("missing|late|stale", SettlementCsv.Flags(QualityFlags.Stale | QualityFlags.Late | QualityFlags.Missing));
        Assert.Equal("", SettlementCsv.Flags(QualityFlags.None));
    }
}
