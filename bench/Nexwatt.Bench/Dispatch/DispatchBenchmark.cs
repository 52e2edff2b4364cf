using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Nexwatt.Bench.CollectorIngest;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Dispatch;

/// <summary>
/// Instruction to confirmations: the real collector in this process, N simulated sites (each with its own uplink
/// connection, signature checks and hardware-sim battery reached over Modbus), one ISO instruction at a time. A site's
/// latency is from just before POST /v1/dispatch to the time the collector recorded its acknowledgement (the
/// site_acknowledged event); "all" is the last of them. Target: p99 under one second.
/// </summary>
internal static class DispatchBenchmark
{
    private const double TargetP99Ms = 1000;
    private const double KilowattsPerSite = 2.5;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var sites = arguments.Sites;
        var rounds = arguments.RoundsOption ?? 3;
        var transports = arguments.IngestTransport switch
        {
            "mqtt" => new[] { DispatchTransport.Mqtt },
            "grpc" => [DispatchTransport.Grpc],
            _ => [DispatchTransport.Mqtt, DispatchTransport.Grpc],
        };
        var directory = Directory.CreateTempSubdirectory("nexwatt-bench-dispatch-").FullName;
        try
        {
            Progress.Step($"hardware-sim: {sites} batteries, each on its own port");
            await using var fleet = await BatteryFleet.StartAsync(sites, directory, cancellationToken).ConfigureAwait(false);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var keyFile = Path.Combine(directory, "signing.pem");
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem(), cancellationToken).ConfigureAwait(false);
            var publicKeyPem = key.ExportSubjectPublicKeyInfoPem();

            await using var broker = transports.Contains(DispatchTransport.Mqtt) ? await Mosquitto.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false) : null;
            var settings = new Dictionary<string, string?>
            {
                ["Dispatch:SigningKeyFile"] = keyFile,
                ["Dispatch:ConfirmTimeout"] = "00:00:30",
                // The bench sites send telemetry once, before the rounds: keep them online for the whole run.
                ["Dispatch:SiteSilenceTimeout"] = "01:00:00",
            };
            Progress.Step("collector: in process, SQLite");
            await using var collector = await BenchCollector.StartAsync(new StoreTarget("sqlite", Path.Combine(directory, "collector.db"), null), null, broker?.Port,
                cancellationToken, settings).ConfigureAwait(false);

            Progress.Step($"registering {sites} sites and batteries");
            var tokens = await RegisterAsync(collector, fleet.Batteries, cancellationToken).ConfigureAwait(false);

            var results = new List<(DispatchTransport Transport, int Round, Latency Latency, double PostMs, int Confirmed)>();
            foreach (var transport in transports)
            {
                Progress.Step($"{transport}: starting {sites} sites");
                var started = Stopwatch.StartNew();
                var running = await StartSitesAsync(fleet.Batteries, tokens, publicKeyPem, transport, collector.GrpcAddress, broker?.Port, cancellationToken).ConfigureAwait(false);
                try
                {
                    Progress.Step($"{transport}: {sites} sites up in {started.Elapsed.TotalSeconds:0.0} s");
                    // The gRPC streams open in the background; give every site a moment to be listening.
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
                    for (var round = 1; round <= rounds; round++)
                    {
                        var (latency, postMs, confirmed) = await DispatchOnceAsync(collector, sites, cancellationToken).ConfigureAwait(false);
                        results.Add((transport, round, latency, postMs, confirmed));
                        Progress.Step($"{transport} round {round}: {confirmed}/{sites} confirmed, p50 {latency.P50:0} ms, p99 {latency.P99:0} ms, all {latency.Max:0} ms (POST answered in {postMs:0} ms)");
                        // The next instruction comes after this window has ended and the batteries are restored.
                        await Task.Delay(Window + TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await Task.WhenAll(running.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
                }
            }
            return Report(sites, results);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task<Dictionary<string, string>> RegisterAsync(BenchCollector collector, IReadOnlyList<BatteryEndpoint> batteries, CancellationToken cancellationToken)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(batteries.Select(async battery =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var siteId = SiteOf(battery);
                var token = await collector.RegisterSiteAsync(siteId, null, cancellationToken).ConfigureAwait(false);
                await Ensure(await collector.Api.PostAsJsonAsync("/v1/assets/register", new
                {
                    asset_id = $"asset-{battery.Name}", type = "battery", inverter = "hardware-sim", capacity_kw = 5, storage_kwh = 20,
                    meter_id = $"meter-{battery.Name}", iso_zone = "PJM", telemetry_interval = 5,
                }, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                await Ensure(await collector.Api.PostAsJsonAsync($"/v1/assets/asset-{battery.Name}/link", new { site_id = siteId, device_id = battery.Name },
                    cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                lock (tokens) tokens[siteId] = token;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return tokens;
    }

    private static async Task<List<DispatchSite>> StartSitesAsync(IReadOnlyList<BatteryEndpoint> batteries, Dictionary<string, string> tokens, string publicKeyPem,
        DispatchTransport transport, Uri grpcAddress, int? mqttPort, CancellationToken cancellationToken)
    {
        var running = new List<DispatchSite>();
        using var gate = new SemaphoreSlim(32);
        var starts = batteries.Select(async battery =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var site = await DispatchSite.StartAsync(SiteOf(battery), tokens[SiteOf(battery)], battery, publicKeyPem, transport, grpcAddress, mqttPort, cancellationToken)
                    .ConfigureAwait(false);
                lock (running) running.Add(site);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            await Task.WhenAll(running.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
            throw;
        }
        return running;
    }

    private static async Task<(Latency Latency, double PostMs, int Confirmed)> DispatchOnceAsync(BenchCollector collector, int sites, CancellationToken cancellationToken)
    {
        var instructed = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var response = await collector.Api.PostAsJsonAsync("/v1/dispatch", new
        {
            resource_id = "PJM", mw_requested = sites * KilowattsPerSite / 1000, direction = "discharge",
            window = new { start = instructed, end = instructed + Window },
        }, cancellationToken).ConfigureAwait(false);
        var postMs = clock.Elapsed.TotalMilliseconds;
        await Ensure(response, cancellationToken).ConfigureAwait(false);
        var dispatchId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)).GetProperty("dispatch_id").GetString()!;

        // Wait (polling the small status view, twice a second, so the bench itself takes little CPU from the system under
        // test) until every site has answered; the latencies come from the event log's timestamps, not from this loop.
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(30);
        while (clock.Elapsed < deadline)
        {
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            var view = await collector.Api.GetFromJsonAsync<JsonElement>($"/v1/dispatch/{dispatchId}", cancellationToken).ConfigureAwait(false);
            if (view.GetProperty("sites").GetProperty("pending").GetArrayLength() == 0) break;
        }
        var acks = new Dictionary<string, double>(StringComparer.Ordinal);
        var events = await collector.Api.GetFromJsonAsync<JsonElement>($"/v1/dispatch/{dispatchId}/events", cancellationToken).ConfigureAwait(false);
        foreach (var e in events.EnumerateArray())
        {
            if (e.GetProperty("kind").GetString() != "site_acknowledged") continue;
            var site = e.GetProperty("detail").GetProperty("site_id").GetString()!;
            if (e.GetProperty("detail").GetProperty("result").GetString() == "applied" && !acks.ContainsKey(site))
                acks[site] = (e.GetProperty("time").GetDateTimeOffset() - instructed).TotalMilliseconds;
        }
        return (Latency.Of(acks.Values), postMs, acks.Count);
    }

    private static bool Report(int sites, List<(DispatchTransport Transport, int Round, Latency Latency, double PostMs, int Confirmed)> results)
    {
        Console.WriteLine();
        Console.WriteLine($"dispatch: instruction to confirmation, {sites} sites (own connection, own signature check, own hardware-sim battery over Modbus each)");
        Console.WriteLine($"{"transport",-9} {"round",5} {"confirmed",10} {"p50 ms",8} {"p99 ms",8} {"all ms",8} {"POST ms",8}");
        var met = true;
        foreach (var (transport, round, latency, postMs, confirmed) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{transport,-9} {round,5} {confirmed,10} {latency.P50,8:0} {latency.P99,8:0} {latency.Max,8:0} {postMs,8:0}"));
            met &= confirmed == sites && latency.P99 < TargetP99Ms;
        }
        foreach (var group in results.GroupBy(r => r.Transport))
        {
            var p99 = Statistics.Median(group.Select(r => r.Latency.P99));
            var all = Statistics.Median(group.Select(r => r.Latency.Max));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key}: median over rounds p99 {p99:0} ms = {p99 / TargetP99Ms:0.00}x the 1 s target ({(p99 < TargetP99Ms ? "PASS" : "MISS")}); all {sites} confirmed in {all:0} ms (reference: 312 assets in 3,000 ms)"));
        }
        return met;
    }

    private static string SiteOf(BatteryEndpoint battery) => $"site-{battery.Name}";

    private static async Task Ensure(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new BenchException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
    }
}
