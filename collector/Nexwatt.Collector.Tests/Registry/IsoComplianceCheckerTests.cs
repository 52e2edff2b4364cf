using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Tests.Registry;

public class IsoComplianceCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);

    private static AssetRecord Asset(string zone, AssetType type = AssetType.Solar, double capacityKw = 50, double intervalSeconds = 4,
        string? meter = "m-1", bool linked = true, double? storageKwh = null) =>
        new("a-1", type, null, capacityKw, storageKwh ?? (type == AssetType.Solar ? null : 100), meter, zone, TimeSpan.FromSeconds(intervalSeconds),
            linked ? "site-1" : null, linked ? "dev-1" : null, AssetStatus.Active, T0, T0);

    private static IEnumerable<string> Codes(ComplianceReport report, string severity) =>
        report.Problems.Where(p => p.Severity == severity).Select(p => p.Code);

    [Fact]
    public void A_caiso_battery_reporting_every_5_s_fails_the_4_s_state_of_charge_rule()
    {
        var report = IsoComplianceChecker.Check(Asset("CAISO-SP15", AssetType.Battery, intervalSeconds: 5));
        Assert.False(report.TelemetryValidated);
        Assert.False(report.IsoCompliant);
        var problem = Assert.Single(report.Problems, p => p.IsError);
        Assert.Equal(("CAISO-SOC-4S", "telemetry_interval", "[C1]"), (problem.Code, problem.Field, problem.Source));
        Assert.Contains("5 s", problem.Message, StringComparison.Ordinal);
        Assert.Equal("https://bpmcm.caiso.com/Pages/ViewPRR.aspx?IsDlg=0&PRRID=1679", problem.Url);
    }

    [Fact]
    public void A_caiso_battery_at_4_s_with_a_sub_lap_and_a_meter_is_compliant_and_clean()
    {
        var report = IsoComplianceChecker.Check(Asset("CAISO-SP15", AssetType.SolarPlusStorage, intervalSeconds: 4));
        Assert.Equal((true, true), (report.TelemetryValidated, report.IsoCompliant));
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Unverified_scan_rates_warn_without_failing()
    {
        var solar = IsoComplianceChecker.Check(Asset("CAISO-SP15", intervalSeconds: 60));
        Assert.Equal((true, true), (solar.TelemetryValidated, solar.IsoCompliant));
        Assert.Equal(["CAISO-SCAN-4S"], Codes(solar, RegistrationProblem.Warning));

        var pjm = IsoComplianceChecker.Check(Asset("PJM-DOM", intervalSeconds: 60));
        Assert.Equal((true, true), (pjm.TelemetryValidated, pjm.IsoCompliant));
        Assert.Equal(["PJM-SCAN-10S"], Codes(pjm, RegistrationProblem.Warning));
        Assert.Equal("NV", pjm.Problems[0].Source);
    }

    [Fact]
    public void Caiso_without_a_sub_zone_or_meter_is_warned()
    {
        var report = IsoComplianceChecker.Check(Asset("CAISO", meter: null));
        Assert.True(report.IsoCompliant);
        Assert.Equal(["CAISO-REVENUE-METER", "CAISO-ONE-SUBLAP"], Codes(report, RegistrationProblem.Warning));
    }

    [Theory]
    [InlineData(9.9, false)]
    [InlineData(10, true)]
    public void A_nyiso_der_must_be_at_least_10_kw(double capacityKw, bool compliant)
    {
        var report = IsoComplianceChecker.Check(Asset("NYISO-J", capacityKw: capacityKw));
        Assert.Equal(compliant, report.IsoCompliant);
        Assert.True(report.TelemetryValidated);
        if (!compliant) Assert.Equal(["NYISO-MIN-DER-10KW"], Codes(report, RegistrationProblem.Error));
    }

    [Fact]
    public void Nyiso_and_iso_ne_need_a_meter()
    {
        Assert.Equal(["NYISO-INTERVAL-METER"], Codes(IsoComplianceChecker.Check(Asset("NYISO", meter: null)), RegistrationProblem.Error));
        Assert.Equal(["ISONE-FIVE-MINUTE-RQM"], Codes(IsoComplianceChecker.Check(Asset("ISO-NE", meter: null)), RegistrationProblem.Error));
    }

    [Fact]
    public void An_iso_ne_asset_counts_only_once_linked_to_its_telemetry()
    {
        var unlinked = IsoComplianceChecker.Check(Asset("ISO-NE", linked: false));
        Assert.Equal(["ISONE-WORKING-TELEMETRY"], Codes(unlinked, RegistrationProblem.Error));
        Assert.Equal(["FERC2222-AUDIT-DATA"], Codes(unlinked, RegistrationProblem.Warning));
        Assert.True(IsoComplianceChecker.Check(Asset("ISO-NE", linked: true)).IsoCompliant);
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1000.1, false)]
    public void An_ercot_premise_is_at_most_1_mw(double capacityKw, bool compliant) =>
        Assert.Equal(compliant, IsoComplianceChecker.Check(Asset("ERCOT-HOUSTON", capacityKw: capacityKw, intervalSeconds: 2)).IsoCompliant);

    [Fact]
    public void Miso_warns_about_iccp_from_5_mw_and_spp_always_warns()
    {
        Assert.Contains("MISO-ICCP-5MW", Codes(IsoComplianceChecker.Check(Asset("MISO", capacityKw: 5000)), RegistrationProblem.Warning));
        Assert.DoesNotContain("MISO-ICCP-5MW", Codes(IsoComplianceChecker.Check(Asset("MISO", capacityKw: 4999)), RegistrationProblem.Warning));
        var spp = IsoComplianceChecker.Check(Asset("SPP"));
        Assert.Equal((true, true), (spp.TelemetryValidated, spp.IsoCompliant));
        Assert.Equal(["SPP-UNVERIFIED"], Codes(spp, RegistrationProblem.Warning));
    }

    [Fact]
    public void An_unknown_zone_is_a_problem_listing_the_known_ones()
    {
        var report = IsoComplianceChecker.Check(Asset("NEM"));
        Assert.False(report.IsoCompliant);
        var problem = Assert.Single(report.Problems);
        Assert.Equal("iso_zone", problem.Field);
        Assert.Contains("CAISO, ERCOT, ISO-NE, MISO, NYISO, PJM, SPP", problem.Message, StringComparison.Ordinal);
    }
}
