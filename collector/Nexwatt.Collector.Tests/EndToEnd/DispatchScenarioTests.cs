using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Testing;
using Xunit.Abstractions;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// The issue's scenario, scaled in time only: 200 subscriber batteries of 20 kWh (hardware-sim, one process), 20
/// sites of 10 batteries each (one real edge agent process per site, gRPC uplink), the real collector in process.
/// The ISO asks 2 MW of discharge; the fleet must deliver it within tolerance for the whole window, no battery may go
/// below its program's reserve, one site is killed mid-window (its share is re-allocated, its batteries revert by
/// their own timeout) and every battery is back to normal operation after the window.
/// The window is 100 s instead of an hour so the test fits CI; batteries that start just above their reserve make
/// the energy-for-the-whole-window limit bind exactly as an hour would for fuller ones.
/// </summary>
[Collection(FleetScenario.Name)]
public sealed partial class DispatchScenarioTests(ITestOutputHelper output)
{
    private const int Sites = 20;
    private const int BatteriesPerSite = 10;
    private const double RequestedMw = 2.0;
    private const double Tolerance = 0.05;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan RevertTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SiteSilence = TimeSpan.FromSeconds(8);

    [GeneratedRegex(@"^READY battery unit=(?<unit>\d+) endpoint=(?<host>[\d.]+):(?<port>\d+) .*name=(?<name>[^\s]+)", RegexOptions.Multiline)]
    private static partial Regex Ready();

    private static string Program(int i) => i % 2 == 0 ? "standard" : "premium";

    private static double Reserve(int i) => i % 2 == 0 ? 20 : 30;

    /// <summary>Most batteries are comfortably charged; every 16th sits just above its reserve, a few below it.</summary>
    private static double InitialSoc(int i) => (i % 16) switch
    {
        0 => Reserve(i) + 0.3,
        7 => Reserve(i) - 2,
        _ => 45 + (i * 37 % 50),
    };

    [Fact]
    public async Task Two_megawatts_from_200_batteries_within_tolerance_above_reserve_with_a_site_dropping_out()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("nexwatt-dispatch-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(directory, "collector-signing.pem");
        var publicKeyFile = Path.Combine(directory, "collector-signing.pub.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(publicKeyFile, key.ExportSubjectPublicKeyInfoPem());

        await using var collector = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dispatch:SigningKeyFile"] = keyFile,
            ["Dispatch:Programs:standard:ReservePct"] = "20",
            ["Dispatch:Programs:premium:ReservePct"] = "30",
            ["Dispatch:Resources:PJM-VPP-1:IsoZone"] = "PJM",
            ["Dispatch:ConfirmTimeout"] = "00:00:15",
            ["Dispatch:CapacityPricePerMw"] = "5000",
            ["Dispatch:SettlementBaselineIntervals"] = "2",
            ["Dispatch:SiteSilenceTimeout"] = SiteSilence.ToString("c", CultureInfo.InvariantCulture),
        }, directory: directory);

        await using var sim = StartBatteries(directory);
        var endpoints = await WaitForBatteriesAsync(sim);

        var agents = new List<PeerProcess>();
        try
        {
            for (var s = 0; s < Sites; s++)
            {
                var siteId = $"site-{s:00}";
                var token = await RegisterSiteAsync(collector, siteId, s);
                agents.Add(StartAgent(collector, directory, publicKeyFile, siteId, token, s, endpoints));
            }
            await using var probe = await FleetProbe.ConnectAsync(
                Enumerable.Range(0, Sites * BatteriesPerSite).Select(i => (Name(i), endpoints[Name(i)].Host, endpoints[Name(i)].Port, (byte)1)), CancellationToken.None);

            // The allocator needs each battery's state of charge: wait until the collector has it for all of them.
            await SiteProcesses.WaitUntil(async () => await AssetsWithStateOfChargeAsync(collector) == Sites * BatteriesPerSite, "state of charge of every battery at the collector");
            // Settlement measures delivery against each battery's baseline: two good 5 s intervals before the window.
            await SiteProcesses.WaitUntil(async () => await AssetsWithBaselineAsync(collector) == Sites * BatteriesPerSite, "a baseline for every battery");

            var instructed = DateTimeOffset.UtcNow;
            var response = await collector.Api.PostAsJsonAsync("/v1/dispatch", new
            {
                resource_id = "PJM-VPP-1", mw_requested = RequestedMw, direction = "discharge",
                window = new { start = instructed, end = instructed + Window },
            });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var dispatch = JsonDocument.Parse(body).RootElement;
            var dispatchId = dispatch.GetProperty("dispatch_id").GetString()!;
            output.WriteLine($"dispatch {dispatchId}: expected {dispatch.GetProperty("expected_mw").GetDouble():0.000} MW, shortfall {dispatch.GetProperty("shortfall_mw").GetDouble():0.000} MW");
            Assert.InRange(dispatch.GetProperty("expected_mw").GetDouble(), RequestedMw * (1 - 1e-6), RequestedMw * (1 + 1e-6));
            // The batteries under their reserve are left out, with a reason.
            Assert.Equal(Enumerable.Range(0, Sites * BatteriesPerSite).Count(i => i % 16 == 7), dispatch.GetProperty("excluded").GetArrayLength());

            var samples = new List<(TimeSpan At, double Megawatts, IReadOnlyList<BatteryReading> Batteries)>();
            var dropAt = TimeSpan.FromSeconds(35);
            var dropped = false;
            while (DateTimeOffset.UtcNow < instructed + Window)
            {
                var batteries = await probe.ReadAllAsync(CancellationToken.None);
                var at = DateTimeOffset.UtcNow - instructed;
                samples.Add((at, batteries.Sum(b => b.Watts) / 1e6, batteries));
                output.WriteLine($"t={at.TotalSeconds,6:0.0} s fleet {samples[^1].Megawatts:0.000} MW");
                if (!dropped && at >= dropAt)
                {
                    agents[3].Kill(); // site-03 drops out: no goodbye, its devices hold the last command until their timeout
                    dropped = true;
                }
                await Task.Delay(TimeSpan.FromSeconds(2));
            }

            // Delivered within tolerance once the fleet confirmed. While a dropped site's share moves, the fleet may be off
            // by up to that share (about 0.1 MW): the collector re-allocates once the site has been silent for
            // SiteSilence, and the dropped batteries keep their last command until their revert timeout, so for a few
            // seconds the two overlap (over-delivery) or neither runs (under-delivery).
            var settled = TimeSpan.FromSeconds(10);
            var recovered = dropAt + SiteSilence + RevertTimeout + TimeSpan.FromSeconds(8);
            foreach (var (at, mw, _) in samples.Where(s => s.At >= settled && s.At < Window - TimeSpan.FromSeconds(2)))
            {
                var slack = at >= dropAt && at < recovered ? 0.15 : 0;
                var (low, high) = (RequestedMw * (1 - Tolerance) - slack, RequestedMw * (1 + Tolerance) + slack);
                Assert.True(mw >= low && mw <= high, $"at t={at.TotalSeconds:0.0} s the fleet delivered {mw:0.000} MW (allowed {low:0.000}..{high:0.000})");
            }
            // Outside that transient the fleet is much closer than the tolerance: report it.
            var steady = samples.Where(s => s.At >= settled && s.At < Window - TimeSpan.FromSeconds(2) && (s.At < dropAt || s.At >= recovered)).Select(s => s.Megawatts).ToList();
            output.WriteLine($"steady state: {steady.Min():0.000}..{steady.Max():0.000} MW over {steady.Count} samples");
            // Nobody below the reserve of their program, at any sample.
            foreach (var (at, _, batteries) in samples)
                foreach (var battery in batteries)
                {
                    var i = Index(battery.Name);
                    if (InitialSoc(i) < Reserve(i)) continue;
                    Assert.True(battery.SocPercent >= Reserve(i) - 0.05, $"{battery.Name} at {battery.SocPercent:0.00} % (reserve {Reserve(i)} %) at t={at.TotalSeconds:0.0} s");
                }

            // After the window every battery is back to normal operation: idle, not discharging.
            await SiteProcesses.WaitUntil(async () => (await probe.ReadAllAsync(CancellationToken.None)).All(b => b.StorageControlMode == 0 && Math.Abs(b.Watts) < 1),
                "every battery restored after the window");

            // The batteries restore themselves when their setpoints expire; the collector records the window's end on its
            // next monitor pass, which may come a moment after that.
            await SiteProcesses.WaitUntil(async () => JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/dispatch/{dispatchId}/events")).RootElement
                .EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "window_ended"), "the window's end recorded");
            var events = JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/dispatch/{dispatchId}/events")).RootElement;
            var kinds = events.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
            output.WriteLine(string.Join(", ", kinds));
            Assert.Contains("dispatch_confirmed", kinds);
            Assert.Contains("reallocated", kinds);
            Assert.Contains("window_ended", kinds);

            // The settlement report rests on the metered telemetry: per asset and per cohort (program), with delivery.
            await SiteProcesses.WaitUntil(async () => JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/dispatch/{dispatchId}/events")).RootElement
                .EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "settlement_generated"), "the settlement report");
            // RFC 4180: CRLF line ends.
            var csv = (await collector.Api.GetStringAsync($"/v1/dispatch/{dispatchId}/settlement?format=csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var cohortTotals = csv.Where(l => l.Contains(",cohort_total,", StringComparison.Ordinal)).ToList();
            output.WriteLine(string.Join('\n', cohortTotals.Append(csv[0]).Concat(csv.Where(l => l.Contains(",fleet_total,", StringComparison.Ordinal)))));
            Assert.Contains(cohortTotals, l => l.Contains(",standard,", StringComparison.Ordinal));
            Assert.Contains(cohortTotals, l => l.Contains(",premium,", StringComparison.Ordinal));
            Assert.True(csv.Count(l => l.Contains(",asset_interval,", StringComparison.Ordinal)) >= Sites * BatteriesPerSite - 13,
                "an interval row for every dispatched asset");
            // The capacity payment (5,000 per MW for 2 MW) goes back to the two cohorts, to the cent, in proportion to delivery.
            var header = csv[0].Split(',');
            var payment = Array.IndexOf(header, "capacity_payment");
            var paid = cohortTotals.Select(l => decimal.Parse(l.Split(',')[payment], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(10_000m, paid.Sum());
            Assert.All(paid, p => Assert.True(p > 0));
            // Metered delivery over the window against what was requested: the ramp of the first seconds and the
            // intervals cut by the window's edges (flagged, counted only where covered) keep it a little under 1.
            var fleet = csv.Single(l => l.Contains(",fleet_total,", StringComparison.Ordinal)).Split(',');
            var ratio = double.Parse(fleet[Array.IndexOf(header, "delivered_mwh")], CultureInfo.InvariantCulture)
                / double.Parse(fleet[Array.IndexOf(header, "requested_mwh")], CultureInfo.InvariantCulture);
            output.WriteLine($"settled delivery / request = {ratio:0.000}");
            Assert.InRange(ratio, 0.8, 1.05);
        }
        finally
        {
            foreach (var agent in agents) await agent.DisposeAsync();
        }
    }

    private static string Name(int i) => $"bat-{i:000}";

    private static int Index(string name) => int.Parse(name.AsSpan(4), CultureInfo.InvariantCulture);

    private static PeerProcess StartBatteries(string directory)
    {
        var devices = Enumerable.Range(0, Sites * BatteriesPerSite).Select(i => new
        {
            type = "battery", name = Name(i), host = "127.0.0.1", port = 0, unitId = 1,
            capacityWh = 20000, maxChargeW = 12500, maxDischargeW = 12500, initialSocPct = InitialSoc(i),
        });
        var siteFile = Path.Combine(directory, "batteries.json");
        File.WriteAllText(siteFile, JsonSerializer.Serialize(new { seed = 5, devices }));
        return PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve", "--site", siteFile, "--no-table"]);
    }

    private static async Task<Dictionary<string, (string Host, int Port)>> WaitForBatteriesAsync(PeerProcess sim)
    {
        await sim.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), SiteProcesses.Patience);
        return Ready().Matches(sim.Log.Replace("\r", "", StringComparison.Ordinal)).Cast<Match>().ToDictionary(m => m.Groups["name"].Value, m => (m.Groups["host"].Value, int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)));
    }

    private static async Task<string> RegisterSiteAsync(CollectorServer collector, string siteId, int site)
    {
        var created = await collector.Api.PostAsJsonAsync("/v1/sites", new { site_id = siteId });
        created.EnsureSuccessStatusCode();
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        for (var b = 0; b < BatteriesPerSite; b++)
        {
            var i = site * BatteriesPerSite + b;
            var asset = await collector.Api.PostAsJsonAsync("/v1/assets/register", new
            {
                asset_id = $"asset-{Name(i)}", type = "battery", inverter = "hardware-sim", capacity_kw = 12.5, storage_kwh = 20,
                meter_id = $"m-{i}", iso_zone = "PJM", telemetry_interval = 5, program = Program(i),
            });
            Assert.True(asset.IsSuccessStatusCode, await asset.Content.ReadAsStringAsync());
            var link = await collector.Api.PostAsJsonAsync($"/v1/assets/asset-{Name(i)}/link", new { site_id = siteId, device_id = Name(i) });
            Assert.True(link.IsSuccessStatusCode, await link.Content.ReadAsStringAsync());
        }
        return token;
    }

    private static PeerProcess StartAgent(CollectorServer collector, string directory, string publicKeyFile, string siteId, string token, int site,
        Dictionary<string, (string Host, int Port)> endpoints)
    {
        var environment = new Dictionary<string, string>
        {
            ["NEXWATT_CONFIG"] = "/dev/null/none",
            ["NEXWATT_Agent__SiteId"] = siteId,
            ["NEXWATT_Agent__DefaultPollInterval"] = "00:00:02",
            ["NEXWATT_Agent__Buffer__Path"] = Path.Combine(directory, $"{siteId}.db"),
            ["NEXWATT_Agent__Uplink__Grpc__Enabled"] = "true",
            ["NEXWATT_Agent__Uplink__Grpc__Address"] = $"http://127.0.0.1:{collector.GrpcPort}",
            ["NEXWATT_Agent__Uplink__Grpc__SiteToken"] = token,
            ["NEXWATT_Agent__Dispatch__CollectorPublicKeyFile"] = publicKeyFile,
            ["NEXWATT_Agent__Dispatch__RevertTimeout"] = RevertTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        for (var b = 0; b < BatteriesPerSite; b++)
        {
            var name = Name(site * BatteriesPerSite + b);
            environment[$"NEXWATT_Agent__Devices__{b}__Id"] = name;
            environment[$"NEXWATT_Agent__Devices__{b}__Host"] = endpoints[name].Host;
            environment[$"NEXWATT_Agent__Devices__{b}__Port"] = endpoints[name].Port.ToString(CultureInfo.InvariantCulture);
        }
        return EdgeAgentProcess.Start(["run"], environment);
    }

    private static async Task<int> AssetsWithStateOfChargeAsync(CollectorServer collector)
    {
        var count = 0;
        for (var i = 0; i < Sites * BatteriesPerSite; i++)
        {
            var latest = await collector.Store.GetLatestAsync($"asset-{Name(i)}", CancellationToken.None);
            if (latest.Any(l => l.Measurement == Domain.Measurement.StateOfChargePct)) count++;
        }
        return count;
    }

    private static async Task<int> AssetsWithBaselineAsync(CollectorServer collector)
    {
        var now = DateTimeOffset.UtcNow;
        var count = 0;
        for (var i = 0; i < Sites * BatteriesPerSite; i++)
        {
            var intervals = await collector.Store.GetIntervalsAsync($"asset-{Name(i)}", Domain.Measurement.ActivePowerW, now.AddSeconds(-30), now, CancellationToken.None);
            if (intervals.Count(r => r.Average is not null && !r.Flags.HasFlag(Domain.QualityFlags.Missing) && r.Start + r.Length <= now) >= 2) count++;
        }
        return count;
    }
}

/// <summary>
/// The fleet scenario runs alone, after the parallel tests: its 20 agents, 200 simulated batteries and thousands of
/// connections would otherwise starve timing-sensitive tests of CPU and take the ephemeral ports they probe for.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetScenario
{
    public const string Name = "fleet scenario";
}

