using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// A simulated Enphase IQ Gateway (firmware 8: HTTPS, JWT, pinned certificate) beside a SunSpec inverter and battery,
/// all polled by one real edge agent that uploads over gRPC to the real collector: the collector's latest values,
/// intervals and fleet totals include the gateway's production and battery SoC, normalized like the SunSpec devices'.
/// </summary>
public sealed partial class EnphaseEndToEndTests
{
    private const string SiteId = "site-enphase";

    [GeneratedRegex(@"^READY (?<kind>\w+) unit=(?<unit>\d+) endpoint=(?<host>[\d.]+):(?<port>\d+)", RegexOptions.Multiline)]
    private static partial Regex ModbusReady();

    [GeneratedRegex(@"^READY enphase endpoint=(?<url>\S+) .*fingerprint=(?<fp>[0-9A-F]+)", RegexOptions.Multiline)]
    private static partial Regex EnphaseReady();

    /// <summary>The longitude where it is solar noon now, and a southern latitude in summer or a northern one otherwise, so that PV produces.</summary>
    private static (string Latitude, string Longitude) Daylight()
    {
        var now = DateTime.UtcNow;
        var longitude = (12 - now.TimeOfDay.TotalHours) * 15;
        if (longitude < -180) longitude += 360;
        var latitude = now.Month is >= 10 or <= 3 ? -30 : 30;
        return (latitude.ToString(CultureInfo.InvariantCulture), longitude.ToString("0.0", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Collector_totals_latest_and_intervals_include_the_gateway_production_and_battery_soc()
    {
        await using var collector = await CollectorServer.StartAsync();
        var directory = collector.Directory;
        var token = await RegisterAsync(collector,
            ("pv-sunspec", "inverter", "solar"), ("bat-sunspec", "battery", "battery"), ("envoy-pv", "envoy.production", "solar"), ("envoy-bat", "envoy.battery", "battery"));

        var (latitude, longitude) = Daylight();
        var daylight = new[] { "--latitude", latitude, "--longitude", longitude };
        await using var modbus = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve", "--inverter", "0", "--battery", "0", "--host", "127.0.0.1", "--no-table", .. daylight]);
        var tokens = Path.Combine(directory, "envoy-tokens");
        await using var envoy = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve", "--enphase", "0", "--firmware", "8", "--token-dir", tokens, .. daylight]);
        await modbus.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), SiteProcesses.Patience);
        await envoy.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), SiteProcesses.Patience);
        var devices = ModbusReady().Matches(modbus.Log).ToDictionary(m => m.Groups["kind"].Value, m => m);
        var gateway = EnphaseReady().Match(envoy.Log);
        Assert.True(gateway.Success, envoy.Log);

        var pinFile = Path.Combine(directory, "envoy.pin");
        var environment = new Dictionary<string, string>
        {
            ["NEXWATT_CONFIG"] = "/dev/null/none",
            ["NEXWATT_Agent__SiteId"] = SiteId,
            ["NEXWATT_Agent__DefaultPollInterval"] = "00:00:01",
            ["NEXWATT_Agent__Buffer__Path"] = Path.Combine(directory, "agent-buffer.db"),
            ["NEXWATT_Agent__Uplink__Grpc__Enabled"] = "true",
            ["NEXWATT_Agent__Uplink__Grpc__Address"] = $"http://127.0.0.1:{collector.GrpcPort}",
            ["NEXWATT_Agent__Uplink__Grpc__SiteToken"] = token,
            ["NEXWATT_Agent__Devices__0__Id"] = "inverter",
            ["NEXWATT_Agent__Devices__0__Host"] = "127.0.0.1",
            ["NEXWATT_Agent__Devices__0__Port"] = devices["inverter"].Groups["port"].Value,
            ["NEXWATT_Agent__Devices__1__Id"] = "battery",
            ["NEXWATT_Agent__Devices__1__Host"] = "127.0.0.1",
            ["NEXWATT_Agent__Devices__1__Port"] = devices["battery"].Groups["port"].Value,
            ["NEXWATT_Agent__Devices__2__Id"] = "envoy",
            ["NEXWATT_Agent__Devices__2__Type"] = "enphase",
            ["NEXWATT_Agent__Devices__2__Enphase__Url"] = gateway.Groups["url"].Value,
            ["NEXWATT_Agent__Devices__2__Enphase__TokenFile"] = Path.Combine(tokens, "owner.jwt"),
            ["NEXWATT_Agent__Devices__2__Enphase__PinFile"] = pinFile,
            ["NEXWATT_Agent__Devices__2__Enphase__MeterInterval"] = "5s",
        };
        await using var agent = EdgeAgentProcess.Start(["run"], environment);

        // Latest: every asset has its power, and both batteries their state of charge.
        Dictionary<string, Dictionary<string, double>> latest = [];
        await SiteProcesses.WaitUntil(async () =>
        {
            latest = [];
            foreach (var asset in new[] { "pv-sunspec", "bat-sunspec", "envoy-pv", "envoy-bat" }) latest[asset] = await LatestAsync(collector, asset);
            return latest.Values.All(l => l.ContainsKey("ActivePowerW")) && latest["envoy-bat"].ContainsKey("StateOfChargePct") && latest["bat-sunspec"].ContainsKey("StateOfChargePct")
                && latest["envoy-pv"]["ActivePowerW"] > 0;
        }, "latest power of the four assets, with the gateway producing", agent);
        Assert.InRange(latest["envoy-bat"]["StateOfChargePct"], 1, 100);
        Assert.True(latest["pv-sunspec"]["ActivePowerW"] > 0, "the SunSpec inverter produces at solar noon too");
        // The pin was taken on first use and kept in the file the configuration names.
        Assert.Equal(gateway.Groups["fp"].Value, (await File.ReadAllTextAsync(pinFile)).Trim(), ignoreCase: true);

        // Fleet totals: the four assets of the zone, the gateway's production in the MW and its battery in the SoC average.
        JsonElement zone = default;
        await SiteProcesses.WaitUntil(async () =>
        {
            var totals = JsonDocument.Parse(await collector.Api.GetStringAsync("/v1/fleet/totals")).RootElement;
            zone = totals.EnumerateArray().Single(z => z.GetProperty("iso_zone").GetString() == "PJM");
            return zone.GetProperty("assets").GetInt32() == 4 && zone.GetProperty("average_soc_pct").ValueKind == JsonValueKind.Number
                && zone.GetProperty("mw_now").GetDouble() * 1e6 > latest["pv-sunspec"]["ActivePowerW"];
        }, "fleet totals over the four assets", agent);
        latest = [];
        foreach (var asset in new[] { "bat-sunspec", "envoy-bat" }) latest[asset] = await LatestAsync(collector, asset);
        Assert.Equal((latest["bat-sunspec"]["StateOfChargePct"] + latest["envoy-bat"]["StateOfChargePct"]) / 2, zone.GetProperty("average_soc_pct").GetDouble(), 0.6);

        // Intervals: the gateway's production and SoC fill 5 s intervals like any asset's.
        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        await SiteProcesses.WaitUntil(async () =>
        {
            var pv = await IntervalsAsync(collector, "envoy-pv", "ActivePowerW", from, to);
            var soc = await IntervalsAsync(collector, "envoy-bat", "StateOfChargePct", from, to);
            return pv.Count(i => i.GetProperty("average").GetDouble() > 0) >= 2 && soc.Count >= 2;
        }, "intervals of the gateway's production and battery SoC", agent);
    }

    private static async Task<string> RegisterAsync(CollectorServer collector, params (string Asset, string Device, string Type)[] assets)
    {
        var site = await collector.Api.PostAsJsonAsync("/v1/sites", new { site_id = SiteId });
        site.EnsureSuccessStatusCode();
        var token = (await site.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        foreach (var (asset, device, type) in assets)
        {
            var registered = await collector.Api.PostAsJsonAsync("/v1/assets/register", new
            {
                asset_id = asset, type, inverter = "test", capacity_kw = 10, storage_kwh = type == "battery" ? 10.0 : (double?)null,
                meter_id = "m-" + asset, iso_zone = "PJM", telemetry_interval = 5,
            });
            Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
            var link = await collector.Api.PostAsJsonAsync($"/v1/assets/{asset}/link", new { site_id = SiteId, device_id = device });
            Assert.True(link.IsSuccessStatusCode, await link.Content.ReadAsStringAsync());
        }
        return token;
    }

    private static async Task<Dictionary<string, double>> LatestAsync(CollectorServer collector, string asset)
        => JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/assets/{asset}/latest")).RootElement.EnumerateArray()
            .ToDictionary(l => l.GetProperty("measurement").GetString()!, l => l.GetProperty("value").GetDouble());

    private static async Task<List<JsonElement>> IntervalsAsync(CollectorServer collector, string asset, string measurement, string from, string to)
        => JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/assets/{asset}/intervals?measurement={measurement}&from={from}&to={to}"))
            .RootElement.EnumerateArray().Where(i => i.GetProperty("samples").GetInt32() > 0).ToList();
}
