using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.Protocols.Enphase.Auth;
using Nexwatt.Protocols.Enphase.Decoding;
using Nexwatt.Protocols.Enphase.Probing;
using Nexwatt.Protocols.Enphase.Readings;

namespace Nexwatt.Protocols.Enphase.Tests;

/// <summary>
/// Every firmware folder of the shared captures is decoded, and the measurements are checked against values read
/// straight from the capture files here (independently of the decoders), with the project's signs.
/// </summary>
public sealed class FixtureFolderTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    public static IEnumerable<object[]> Folders() => CapturedGateway.Folders();

    /// <summary>Production power per folder as the best source of that firmware gives it, and which source that is.</summary>
    public static readonly IReadOnlyDictionary<string, (double Watts, string Source)> ProductionByFolder = new Dictionary<string, (double, string)>
    {
        ["3.7.0"] = (6630, "3.x HTML /production page"),
        ["3.9.36"] = (1271, "/api/v1/production"),
        ["4.10.35"] = (166.489, "production CT"),
        ["4.2.33"] = (-8.8, "production CT"),
        ["5.0.62"] = (7907, "/api/v1/production"),
        ["7.3.130_no_consumption"] = (3624.573, "production CT"),
        ["7.3.466_with_cts_3phase"] = (488.925, "production CT"),
        ["7.3.517"] = (4556.139, "production.json eim"),
        ["7.6.114_without_cts"] = (586, "/api/v1/production"),
        ["7.6.175_with_cts"] = (488.925, "production CT"),
        ["7.6.185_with_cts_and_battery_3t"] = (-0.661, "production CT"),
        ["8.1.41"] = (13028.54, "production.json eim"),
        ["8.2.127_with_3cts_and_battery_split"] = (1714.424, "production CT"),
        ["8.2.4264_metered_noct"] = (5521, "production.json inverters (api/v1 stalls)"),
        ["8.2.4345_with_device_data"] = (807.326, "production CT"),
        ["8.2.4382_ACB"] = (308.373, "production CT"),
        ["8.3.1598_collar"] = (0.0, "production CT"),
        ["8.3.5169_with_generator"] = (2891.863, "production CT"),
        ["8.3.5433_tot_is_net_cons"] = (352.751, "production CT"),
    };

    [Fact]
    public void EveryFolderHasAnExpectedProduction() =>
        Assert.Equal(Folders().Select(f => (string)f[0]).Order(), ProductionByFolder.Keys.Order());

    [Theory]
    [MemberData(nameof(Folders))]
    public void InfoGivesSerialFirmwareAndAuth(string folder)
    {
        var gateway = new CapturedGateway(folder);
        var xml = File.ReadAllText(Path.Combine(gateway.Directory, "info"));
        Assert.Equal(Regex.Match(xml, "<sn>([^<]+)</sn>").Groups[1].Value, gateway.Info.Serial);
        Assert.Equal(Regex.Match(xml, "<pn>([^<]+)</pn>").Groups[1].Value, gateway.Info.PartNumber);
        Assert.Equal(Regex.Match(xml, "<software>.([^<]+)</software>").Groups[1].Value, gateway.Info.Firmware.Text);
        Assert.StartsWith(gateway.Info.Firmware.Text, folder);
        var tokenFirmware = gateway.Info.Firmware.Major >= 7;
        Assert.Equal(tokenFirmware, gateway.Info.WebTokens);
        var plan = AuthPlan.For(gateway.Info);
        Assert.Equal(tokenFirmware ? GatewayAuthScheme.BearerToken : GatewayAuthScheme.Digest, plan.Scheme);
        Assert.Equal(tokenFirmware, plan.Https);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void ProductionComesFromTheBestSourceWithItsSign(string folder)
    {
        var (measurements, _) = Build(folder);
        var expected = ProductionByFolder[folder];
        var production = Single(measurements, SubDevices.Production, Quantity.ActivePowerW);
        Assert.True(production.Value is not null, $"{folder}: no production power ({expected.Source})");
        Assert.Equal(expected.Watts, production.Value!.Value, 3);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void MetersMatchTheCaptureWithExportPositive(string folder)
    {
        var gateway = new CapturedGateway(folder);
        var (measurements, _) = Build(folder);
        if (!gateway.Has("ivp_meters_readings") || gateway.Json("ivp_meters").ValueKind != JsonValueKind.Array) return;
        var readings = gateway.Json("ivp_meters_readings").EnumerateArray().ToDictionary(r => r.GetProperty("eid").GetInt64());
        foreach (var meter in gateway.Json("ivp_meters").EnumerateArray().Where(m => m.GetProperty("state").GetString() == "enabled"))
        {
            var reading = readings[meter.GetProperty("eid").GetInt64()];
            var power = reading.GetProperty("activePower").GetDouble();
            var at = DateTimeOffset.FromUnixTimeSeconds(reading.GetProperty("timestamp").GetInt64());
            var channels = reading.GetProperty("channels");
            switch (meter.GetProperty("measurementType").GetString())
            {
                case "production":
                    AssertValue(measurements, SubDevices.Production, Quantity.ActivePowerW, power, at);
                    AssertValue(measurements, SubDevices.Production, Quantity.EnergyExportedWh, reading.GetProperty("actEnergyDlvd").GetDouble(), at);
                    AssertValue(measurements, SubDevices.Production, Quantity.VoltageV, reading.GetProperty("voltage").GetDouble(), at);
                    AssertValue(measurements, SubDevices.Production, Quantity.FrequencyHz, reading.GetProperty("freq").GetDouble(), at);
                    AssertValue(measurements, "production-L1", Quantity.ActivePowerW, channels[0].GetProperty("activePower").GetDouble(), null);
                    break;
                case "net-consumption":
                    // Positive net-consumption is import: the grid's export-positive power is its negation.
                    AssertValue(measurements, SubDevices.Grid, Quantity.ActivePowerW, -power, at);
                    AssertValue(measurements, SubDevices.Grid, Quantity.EnergyImportedWh, reading.GetProperty("actEnergyDlvd").GetDouble(), at);
                    AssertValue(measurements, SubDevices.Grid, Quantity.EnergyExportedWh, reading.GetProperty("actEnergyRcvd").GetDouble(), at);
                    AssertValue(measurements, "grid-L1", Quantity.ActivePowerW, -channels[0].GetProperty("activePower").GetDouble(), null);
                    break;
                case "total-consumption":
                    AssertValue(measurements, SubDevices.Consumption, Quantity.ActivePowerW, -power, at);
                    AssertValue(measurements, SubDevices.Consumption, Quantity.EnergyImportedWh, reading.GetProperty("actEnergyDlvd").GetDouble(), at);
                    break;
                case "storage":
                    AssertValue(measurements, SubDevices.StorageMeter, Quantity.ActivePowerW, power, at);
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void BatteriesAndInvertersMatchTheCapture(string folder)
    {
        var gateway = new CapturedGateway(folder);
        var (measurements, snapshot) = Build(folder);
        if (gateway.Responses.TryGetValue("/ivp/ensemble/power", out var power) && power.Outcome == ProbeOutcome.Ok)
            foreach (var battery in gateway.Json("ivp_ensemble_power").GetProperty("devices:").EnumerateArray())
            {
                var id = SubDevices.Battery(battery.GetProperty("serial_num").GetString()!);
                AssertValue(measurements, id, Quantity.ActivePowerW, battery.GetProperty("real_power_mw").GetDouble() / 1000, null);
                AssertValue(measurements, id, Quantity.StateOfChargePct, battery.GetProperty("soc").GetDouble(), null);
            }
        if (gateway.Responses.TryGetValue("/api/v1/production/inverters", out var inverters) && inverters.Outcome == ProbeOutcome.Ok)
        {
            var list = gateway.Json("api_v1_production_inverters").EnumerateArray().ToList();
            Assert.Equal(list.Count, measurements.Count(m => m.SubDevice.StartsWith("inverter-", StringComparison.Ordinal) && m.Quantity == Quantity.ActivePowerW));
            foreach (var inverter in list)
                AssertValue(measurements, SubDevices.Inverter(inverter.GetProperty("serialNumber").GetString()!), Quantity.ActivePowerW,
                    inverter.GetProperty("lastReportWatts").GetDouble(), DateTimeOffset.FromUnixTimeSeconds(inverter.GetProperty("lastReportDate").GetInt64()));
        }
        if (gateway.Has("production.json") && snapshot.Production?.AcBatteries.FirstOrDefault(b => b.ActiveCount > 0) is { } acb)
        {
            var captured = gateway.Json("production.json").GetProperty("storage")[0];
            AssertValue(measurements, SubDevices.AcBatteries, Quantity.ActivePowerW, captured.GetProperty("wNow").GetDouble(), null);
            AssertValue(measurements, SubDevices.AcBatteries, Quantity.StateOfChargePct, captured.GetProperty("percentFull").GetDouble(), null);
        }
        if (gateway.Responses.TryGetValue("/admin/lib/tariff", out var tariff) && tariff.Outcome == ProbeOutcome.Ok)
        {
            var document = TariffDocument.Decode(tariff.Body);
            var tariffObject = gateway.Json("admin_lib_tariff").GetProperty("tariff");
            Assert.Equal(tariffObject.TryGetProperty("storage_settings", out _), document.HasStorageSettings);
            if (document.HasStorageSettings)
            {
                var settings = tariffObject.GetProperty("storage_settings");
                Assert.Equal(settings.GetProperty("mode").GetString(), document.Mode);
                Assert.Equal(settings.GetProperty("charge_from_grid").GetBoolean(), document.ChargeFromGrid);
                Assert.Equal(settings.GetProperty("reserved_soc").GetDouble(), document.ReservedSocPct);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void AbsentValuesAreAbsentNotZero(string folder)
    {
        var gateway = new CapturedGateway(folder);
        var (measurements, _) = Build(folder);
        var hasConsumptionCt = gateway.Has("ivp_meters") && gateway.Json("ivp_meters") is { ValueKind: JsonValueKind.Array } meters
            && meters.EnumerateArray().Any(m => m.GetProperty("state").GetString() == "enabled" && m.GetProperty("measurementType").GetString()!.EndsWith("consumption", StringComparison.Ordinal));
        var hasConsumptionEim = gateway.Has("production.json") && gateway.Responses["/production.json"].Outcome == ProbeOutcome.Ok
            && gateway.Json("production.json").TryGetProperty("consumption", out var c) && c.EnumerateArray().Any(e => e.GetProperty("activeCount").GetInt32() > 0);
        // Without a consumption CT there is no grid or load measurement: nothing is reported, rather than a 0.
        if (!hasConsumptionCt && !hasConsumptionEim)
            Assert.DoesNotContain(measurements, m => m.SubDevice.StartsWith(SubDevices.Grid, StringComparison.Ordinal) || m.SubDevice.StartsWith(SubDevices.Consumption, StringComparison.Ordinal));
        Assert.All(measurements, m => Assert.True(m.Value is null || double.IsFinite(m.Value.Value)));
    }

    [Fact]
    public void Quirk_8_3_5433_TotalConsumptionRepeatsNet_TotalIsNetPlusProduction()
    {
        var gateway = new CapturedGateway("8.3.5433_tot_is_net_cons");
        // production.json alone (no CT readings): its total-consumption equals net-consumption.
        var production = ProductionJson.Decode(gateway.Responses["/production.json"].Body);
        var measurements = SnapshotBuilder.Build(new GatewaySnapshot(gateway.Info, Received) { Production = production });
        Assert.Equal(-(428.414 + 357.492), Single(measurements, SubDevices.Consumption, Quantity.ActivePowerW).Value!.Value, 3);
        Assert.Equal(-428.414, Single(measurements, SubDevices.Grid, Quantity.ActivePowerW).Value!.Value, 3);
        // With the CT readings the total-consumption CT is the load, and the grid is production minus load.
        var (fromMeters, _) = Build("8.3.5433_tot_is_net_cons");
        Assert.Equal(-786.513, Single(fromMeters, SubDevices.Consumption, Quantity.ActivePowerW).Value!.Value, 3);
        Assert.Equal(352.751 - 786.513, Single(fromMeters, SubDevices.Grid, Quantity.ActivePowerW).Value!.Value, 3);
    }

    [Fact]
    public void Quirk_8_2_4264_MeteredWithoutCts_SkipsApiV1Production()
    {
        var gateway = new CapturedGateway("8.2.4264_metered_noct");
        var meters = MeterConfig.Decode(gateway.Responses["/ivp/meters"].Body);
        Assert.True(SnapshotBuilder.ApiV1ProductionMayStall(gateway.Info, meters));
        var plan = EndpointPlan.Decide(gateway.Info, Outcomes(gateway), meters, ProductionJson.Decode(gateway.Responses["/production.json"].Body));
        Assert.False(plan.ApiV1Production);
        Assert.True(plan.ProductionJson);
        var production = Single(Build("8.2.4264_metered_noct").Measurements, SubDevices.Production, Quantity.ActivePowerW);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1746702889), production.Timestamp);
    }

    [Fact]
    public void Firmware3_HtmlPagesAnd404sAreNotData()
    {
        var gateway = new CapturedGateway("3.7.0");
        Assert.Equal(ProbeOutcome.NotFound, gateway.Responses["/production.json"].Outcome); // HTML "Page Not Found" served with 200
        Assert.Equal(ProbeOutcome.NotFound, gateway.Responses["/ivp/ensemble/inventory"].Outcome);
        var page = ProductionPage.Decode(gateway.Responses["/production"].Body);
        Assert.Equal(6630, page.PowerW);
        Assert.Equal(133e6, page.LifetimeWh);
        Assert.Equal(53600, page.TodayWh);
    }

    [Fact]
    public void TokenFirmware401PagesAreUnauthorized()
    {
        var gateway = new CapturedGateway("7.3.130_no_consumption");
        Assert.Equal(ProbeOutcome.Unauthorized, gateway.Responses["/ivp/ensemble/power"].Outcome);
        Assert.Equal(ProbeOutcome.Unauthorized, new GatewayResponse(200, gateway.Responses["/ivp/ensemble/power"].Body).Outcome);
        var plan = EndpointPlan.Decide(gateway.Info, Outcomes(gateway), null, null);
        Assert.False(plan.SecurityControl);
        Assert.False(plan.EnsemblePower);
        Assert.DoesNotContain("/ivp/ensemble/secctrl", plan.Describe());
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void EndpointPlanUsesOnlyWhatTheFirmwareServes(string folder)
    {
        var gateway = new CapturedGateway(folder);
        var outcomes = Outcomes(gateway);
        var meters = Ok(outcomes, "/ivp/meters") ? MeterConfig.Decode(gateway.Responses["/ivp/meters"].Body) : null;
        var production = Ok(outcomes, "/production.json") ? ProductionJson.Decode(gateway.Responses["/production.json"].Body) : null;
        var plan = EndpointPlan.Decide(gateway.Info, outcomes, meters, production);
        foreach (var path in plan.Describe().Select(p => p.Split('?')[0]).Where(p => p != "/ivp/meters/readings" && p != "/production"))
            Assert.True(Ok(outcomes, path), $"{folder}: plan reads {path}, which answered {(outcomes.TryGetValue(path, out var o) ? o : "nothing")}");
        Assert.Equal(gateway.Info.Firmware.Major >= 5 && Ok(outcomes, "/ivp/ensemble/inventory"), plan.Inventory);
    }

    internal static (IReadOnlyList<GatewayMeasurement> Measurements, GatewaySnapshot Snapshot) Build(string folder)
    {
        var gateway = new CapturedGateway(folder);
        var snapshot = SnapshotDecoder.Decode(gateway.Info, Received, gateway.Responses);
        return (SnapshotBuilder.Build(snapshot), snapshot);
    }

    private static bool Ok(Dictionary<string, ProbeOutcome> outcomes, string path) => outcomes.TryGetValue(path, out var o) && o == ProbeOutcome.Ok;

    private static Dictionary<string, ProbeOutcome> Outcomes(CapturedGateway gateway) =>
        gateway.Responses.ToDictionary(r => r.Key, r => r.Value.Outcome);

    private static GatewayMeasurement Single(IReadOnlyList<GatewayMeasurement> measurements, string subDevice, Quantity quantity)
    {
        var found = measurements.Where(m => m.SubDevice == subDevice && m.Quantity == quantity).ToList();
        Assert.True(found.Count == 1, $"{subDevice} {quantity}: {found.Count} measurements; have {string.Join(", ", measurements.Select(m => m.SubDevice).Distinct())}");
        return found[0];
    }

    private static void AssertValue(IReadOnlyList<GatewayMeasurement> measurements, string subDevice, Quantity quantity, double expected, DateTimeOffset? at)
    {
        var m = Single(measurements, subDevice, quantity);
        Assert.True(m.Value is { } v && Math.Abs(v - expected) < 1e-6, $"{subDevice} {quantity}: {m.Value} expected {expected}");
        if (at is { } t) Assert.Equal(t, m.Timestamp);
    }
}
