using System.Globalization;
using System.Runtime;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>
/// `nexwatt-bench collector-ingest`: the real collector in this process, fed by N agents over gRPC (one duplex
/// Upload call each, K batches in flight) and over MQTT (Mosquitto, QoS 1, the collector's shared subscription),
/// into SQLite and PostgreSQL, with and without an asset linked to the sites' inverter (normalization and samples
/// run only for linked devices). Per scenario: a warmup, a phase at full speed (ingest rate, latency under max
/// load), a paced phase at half that rate (latency under moderate load), then the store is counted: it must hold
/// exactly the readings sent once (one batch in ten is redelivered).
/// </summary>
internal static class CollectorIngestBenchmark
{
    public const double GrpcPostgresTarget = 200_000;
    public const double P99TargetMilliseconds = 100;
    private const int WarmupBatches = 20;
    private const string DeviceId = "inverter-1";

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        Progress.Step("collector-ingest: CPU cost of the in-memory stages of one batch, one thread");
        var costs = PipelineCosts.Measure();
        var results = new List<ScenarioResult>();
        var stores = arguments.IngestStore is "both" ? new[] { "sqlite", "postgres" } : [arguments.IngestStore];
        var transports = arguments.IngestTransport is "both" ? new[] { "grpc", "mqtt" } : [arguments.IngestTransport];
        PostgresServer? postgres = null;
        try
        {
            if (stores.Contains("postgres"))
            {
                Progress.Step("collector-ingest: starting a throwaway PostgreSQL 15 cluster");
                postgres = await PostgresServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            foreach (var transport in transports)
                foreach (var store in stores)
                    foreach (var linked in new[] { false, true })
                        results.Add(await RunScenarioAsync(arguments, transport, store == "postgres" ? postgres : null, linked, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            if (postgres is not null) await postgres.DisposeAsync().ConfigureAwait(false);
        }
        return Report(arguments, costs, results);
    }

    private static async Task<ScenarioResult> RunScenarioAsync(BenchArguments arguments, string transport, PostgresServer? postgres, bool linked,
        CancellationToken cancellationToken)
    {
        var scenario = new Scenario(transport == "grpc" ? "gRPC" : "MQTT", postgres is null ? "SQLite" : "PostgreSQL", linked);
        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-ingest-").FullName;
        try
        {
            var target = postgres is null
                ? new StoreTarget("SQLite", Path.Combine(folder, "collector.db"), null)
                : new StoreTarget("PostgreSQL", null, await postgres.CreateDatabaseAsync("ingest", cancellationToken).ConfigureAwait(false));
            await using var broker = transport == "mqtt"
                ? await Mosquitto.StartAsync(new MosquittoOptions { ExtraConfiguration = ["max_queued_messages 0", "log_type subscribe"] }, cancellationToken).ConfigureAwait(false)
                : null;
            var siteIds = Enumerable.Range(0, arguments.Agents).Select(i => $"site-{i:D2}").ToArray();
            var probe = new StoreProbe(siteIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i), samplesAreLastWrite: linked);
            Progress.Step($"collector-ingest: {scenario}: starting the collector, registering {siteIds.Length} sites");
            await using var collector = await BenchCollector.StartAsync(target, probe, broker?.Port, cancellationToken).ConfigureAwait(false);
            var sites = new List<BenchSite>();
            foreach (var siteId in siteIds)
                sites.Add(new BenchSite(new InverterPolls(siteId, DeviceId),
                    await collector.RegisterSiteAsync(siteId, linked ? DeviceId : null, cancellationToken).ConfigureAwait(false)));
            if (broker is not null) await WaitForSubscriptionAsync(broker, cancellationToken).ConfigureAwait(false);

            var storedBatches = 0;
            Task<LoadResult> Phase(int batchesPerSite, double? readingsPerSecond)
            {
                var before = storedBatches;
                storedBatches += batchesPerSite * sites.Count;
                return broker is null
                    ? GrpcAgents.RunAsync(collector.GrpcAddress, sites, batchesPerSite, arguments.Window, readingsPerSecond, cancellationToken)
                    : MqttPublishers.RunAsync(broker.Port, sites, probe, before, batchesPerSite, arguments.Window, readingsPerSecond, cancellationToken);
            }

            Progress.Step($"collector-ingest: {scenario}: warmup, {WarmupBatches} batches per site");
            await Phase(WarmupBatches, null).ConfigureAwait(false);

            var batchesPerSite = (int)Math.Max(IngestLoad.RedeliverEvery, arguments.Readings / sites.Count / InverterPolls.ReadingsPerBatch);
            Progress.Step($"collector-ingest: {scenario}: full speed, {sites.Count} x {batchesPerSite} batches of {InverterPolls.ReadingsPerBatch} "
                + $"(+1 redelivered in {IngestLoad.RedeliverEvery}), window {arguments.Window}");
            var brokerPid = broker is null ? null : ProcessCpu.FindByCommandLine(broker.ConfigFile);
            var postgresPid = postgres is null ? (int?)null : PostmasterPid(postgres);
            probe.ResetStages();
            var gcBefore = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
            var (self0, server0, broker0) = (ProcessCpu.Self(), postgresPid is { } p0 ? ProcessCpu.Tree(p0) : 0, brokerPid is { } b0 ? ProcessCpu.Tree(b0) : 0);
            var full = await Phase(batchesPerSite, null).ConfigureAwait(false);
            var (self1, server1, broker1) = (ProcessCpu.Self(), postgresPid is { } p1 ? ProcessCpu.Tree(p1) : 0, brokerPid is { } b1 ? ProcessCpu.Tree(b1) : 0);
            var gcs = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gcBefore[g]).ToArray();
            var stages = Enum.GetValues<StoreStage>().ToDictionary(s => s, probe.Stage);
            var loadFull = LoadAverage();

            var pacedRate = full.StoredPerSecond / 2;
            var pacedBatches = IngestLoad.BatchesFor(pacedRate, arguments.Seconds, sites.Count);
            Progress.Step($"collector-ingest: {scenario}: paced at {pacedRate:N0} readings/s (half of full speed), {sites.Count} x {pacedBatches} batches");
            var paced = await Phase(pacedBatches, pacedRate).ConfigureAwait(false);
            var loadPaced = LoadAverage();

            var expected = sites.Sum(s => s.Polls.Produced);
            var (rows, samples) = await collector.CountAsync(cancellationToken).ConfigureAwait(false);
            IngestLoad.Check(rows == expected, $"{scenario}: the store holds {rows:N0} readings, {expected:N0} were sent once (dedupe broken or readings lost)");
            IngestLoad.Check(linked == (samples > 0), $"{scenario}: {samples:N0} samples stored (linked asset: {linked})");
            Progress.Step($"collector-ingest: {scenario}: {full.StoredPerSecond:N0} readings/s stored; store holds {rows:N0} readings (= sent), {samples:N0} samples");
            return new ScenarioResult(scenario, full, paced, rows, samples, self1 - self0, postgresPid is null ? null : server1 - server0,
                brokerPid is null ? null : broker1 - broker0, stages, gcs, loadFull, loadPaced);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }
    }

    private static bool Report(BenchArguments arguments, PipelineCosts.Costs costs, IReadOnlyList<ScenarioResult> results)
    {
        var met = true;
        var rates = new TextTable("transport -> store", "asset", "offered/s", "stored/s", "store rows = sent", "load avg", "target", "");
        var latency = new TextTable("transport -> store", "asset", "load", "stored/s", "batches", "p50", "p99", "max", "load avg", "target", "");
        var profile = new TextTable("transport -> store", "asset", "bench CPU (cores)", "µs/reading", "PostgreSQL CPU", "µs/reading", "Mosquitto CPU",
            "readings insert", "asset lookup", "samples insert", "aggregation", "GCs 0/1/2");
        foreach (var r in results)
        {
            var (name, asset) = ($"{r.Scenario.Transport} -> {r.Scenario.Store}", r.Scenario.Linked ? "linked" : "none");
            var rateTarget = r.Scenario is { Transport: "gRPC", Store: "PostgreSQL" };
            var rateMet = !rateTarget || r.Full.StoredPerSecond >= GrpcPostgresTarget;
            met &= rateMet;
            rates.Add(name, asset, N0(r.Full.OfferedPerSecond), N0(r.Full.StoredPerSecond), $"{r.Rows:N0}", r.LoadFull,
                rateTarget ? $">= {GrpcPostgresTarget:N0}/s" : "", rateTarget ? Verdict(rateMet) : "");
            // MQTT has no back-pressure from the collector to the publishers: at full speed the broker queues what the
            // collector has not taken yet, so that phase's latency is the backlog's age, not a property of ingest.
            var mqtt = r.Scenario.Transport == "MQTT";
            foreach (var (phase, load, label, judged) in new[]
            {
                (r.Full, r.LoadFull, mqtt ? "unpaced (broker backlog)" : $"max (window {arguments.Window})", !mqtt),
                (r.Paced, r.LoadPaced, "50 % paced", true),
            })
            {
                var ok = phase.Latency.P99 < P99TargetMilliseconds;
                if (judged) met &= ok;
                latency.Add(name, asset, label, N0(phase.StoredPerSecond), N0(phase.Latency.Count), Ms(phase.Latency.P50), Ms(phase.Latency.P99), Ms(phase.Latency.Max),
                    load, judged ? $"p99 < {P99TargetMilliseconds} ms" : "", judged ? Verdict(ok) : "");
            }
            string PerBatch(StoreStage stage) => r.Stages[stage] is { Calls: > 0 } s ? $"{s.Total.TotalMilliseconds / s.Calls:0.0} ms x {s.Calls:N0}" : "-";
            profile.Add(name, asset, Cores(r.SelfCpu, r.Full.Seconds), Micro(r.SelfCpu, r.Full.Offered),
                r.PostgresCpu is { } pg ? Cores(pg, r.Full.Seconds) : "-", r.PostgresCpu is { } pg2 ? Micro(pg2, r.Full.Offered) : "-",
                r.BrokerCpu is { } mq ? Cores(mq, r.Full.Seconds) : "-",
                PerBatch(StoreStage.InsertReadings), PerBatch(StoreStage.FindAsset), PerBatch(StoreStage.InsertSamples),
                $"{r.Stages[StoreStage.Aggregation].Total.TotalSeconds:0.00} s", string.Join('/', r.GarbageCollections));
        }

        var perReading = 1.0 / InverterPolls.ReadingsPerBatch;
        var stagesTable = new TextTable("in-memory stage (one thread, no contention)", "µs per batch", "µs per reading");
        foreach (var (stage, micro) in new[]
        {
            ("agent: build the batch (protobuf objects)", costs.BuildMicroseconds), ("agent: serialize", costs.SerializeMicroseconds),
            ("collector: parse (TelemetryBatch.Parser)", costs.ParseMicroseconds), ("collector: map to IngestedReading", costs.MapMicroseconds),
            ($"collector: normalize ({costs.Samples} samples per batch)", costs.NormalizeMicroseconds),
        })
            stagesTable.Add(stage, $"{micro:N1}", $"{micro * perReading:0.000}");

        Console.WriteLine();
        Console.WriteLine($"Collector ingest, in process: {arguments.Agents} agents (sites), batches of {InverterPolls.ReadingsPerBatch} model-103 readings "
            + $"({costs.Bytes:N0} B protobuf), 1 batch in {IngestLoad.RedeliverEvery} redelivered, window {arguments.Window}, ~{arguments.Readings:N0} readings at full speed, "
            + $"paced phase {arguments.Seconds:0.#} s; {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, "
            + $"{DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine(rates);
        Console.WriteLine("Reading-to-stored latency (gRPC: send -> ack, which follows the durable write; MQTT: publish -> the batch's last store write returned)");
        Console.WriteLine(latency);
        Console.WriteLine("Where the time goes at full speed (CPU from /proc/<pid>/stat over the phase; store calls: mean wall time per call x calls)");
        Console.WriteLine(profile);
        Console.WriteLine(stagesTable);
        return met;
    }

    private static async Task WaitForSubscriptionAsync(Mosquitto broker, CancellationToken cancellationToken)
    {
        // Mosquitto logs each SUBSCRIBE ("log_type subscribe"); publishing before it would lose messages (no subscriber yet).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!broker.Log.Contains("$share/", StringComparison.Ordinal))
        {
            try { await ticks.WaitForNextTickAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchException($"the collector did not subscribe to the broker within 15 s:\n{broker.Log}");
            }
        }
    }

    private static int PostmasterPid(PostgresServer server) =>
        int.Parse(File.ReadLines(Path.Combine(server.Directory, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static string N0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => $"{value:0.0} ms";

    private static string Cores(double cpuSeconds, double seconds) => $"{cpuSeconds / seconds:0.00}";

    private static string Micro(double cpuSeconds, long readings) => $"{cpuSeconds * 1e6 / readings:0.00}";

    private static string Verdict(bool met) => met ? "PASS" : "FAIL";

    private sealed record Scenario(string Transport, string Store, bool Linked)
    {
        public override string ToString() => $"{Transport} -> {Store}, {(Linked ? "linked asset" : "no asset")}";
    }

    private sealed record ScenarioResult(Scenario Scenario, LoadResult Full, LoadResult Paced, long Rows, long Samples, double SelfCpu, double? PostgresCpu,
        double? BrokerCpu, IReadOnlyDictionary<StoreStage, (long Calls, TimeSpan Total)> Stages, int[] GarbageCollections, string LoadFull, string LoadPaced);
}
