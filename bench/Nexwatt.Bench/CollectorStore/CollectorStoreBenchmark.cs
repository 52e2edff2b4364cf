using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Bench.Harness;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage.Postgres;
using Nexwatt.Collector.Storage.Sqlite;
using Nexwatt.Testing;

namespace Nexwatt.Bench.CollectorStore;

/// <summary>
/// The collector's storage in this process: bulk <see cref="ICollectorStore.InsertReadingsAsync"/> of N readings
/// in batches of <see cref="BatchReadings"/> from <see cref="Sites"/> sites by <see cref="Writers"/> concurrent
/// writers (as concurrent uploads would), one batch in ten delivered twice (a redelivery after a lost ack), into
/// SQLite (temporary file) and PostgreSQL 15 (a throwaway cluster with default settings, fsync on).
/// </summary>
internal static class CollectorStoreBenchmark
{
    private const int Sites = 12;
    private const int BatchReadings = 2_500;
    private const int Writers = 4;
    private const int RedeliverEvery = 10;
    private const double PostgresTarget = 200_000;

    private static readonly string[] Points = ["A", "AphA", "PhVphA", "W", "Hz", "VA", "VAr", "PF", "WH", "DCA", "DCV", "DCW", "TmpCab", "St", "Evt1"];

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var batches = MakeBatches(arguments.Readings);
        var unique = batches.Where(b => !b.Redelivery).Sum(b => (long)b.Readings.Count);
        var offered = batches.Sum(b => (long)b.Readings.Count);
        var table = new TextTable("store", "offered (incl. redelivered)", "stored", "time", "rate offered", "rate stored", "target", "");

        var folder = Path.Combine(Path.GetTempPath(), $"nexwatt-bench-store-{Guid.NewGuid():N}");
        try
        {
            Progress.Step($"collector-store: SQLite, {offered:N0} readings in batches of {BatchReadings} from {Sites} sites, {Writers} writers");
            await using (var sqlite = new SqliteCollectorStore(Path.Combine(folder, "collector.db"), NullLogger<SqliteCollectorStore>.Instance))
            {
                await sqlite.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var (stored, seconds) = await InsertAllAsync(sqlite, batches, cancellationToken).ConfigureAwait(false);
                AddRow(table, "SQLite (WAL, synchronous=FULL)", offered, unique, stored, seconds, null);
            }
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }

        Progress.Step("collector-store: starting a throwaway PostgreSQL 15 cluster");
        bool met;
        await using (var server = await PostgresServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var connectionString = await server.CreateDatabaseAsync("bench", cancellationToken).ConfigureAwait(false);
            Progress.Step($"collector-store: PostgreSQL, {offered:N0} readings in batches of {BatchReadings} from {Sites} sites, {Writers} writers");
            await using var postgres = new PostgresCollectorStore(connectionString, NullLogger<PostgresCollectorStore>.Instance);
            await postgres.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var (stored, seconds) = await InsertAllAsync(postgres, batches, cancellationToken).ConfigureAwait(false);
            met = AddRow(table, "PostgreSQL 15 (COPY; resends: staged anti-join)", offered, unique, stored, seconds, PostgresTarget);
        }

        Console.WriteLine();
        Console.WriteLine($"Collector store bulk insert: {unique:N0} unique readings (+{offered - unique:N0} redelivered), batches of {BatchReadings}, "
            + $"{Sites} sites, {Writers} writers, {Environment.ProcessorCount} cores, load {LoadAverage()}");
        Console.WriteLine(table);
        return met;
    }

    private static bool AddRow(TextTable table, string name, long offered, long unique, long stored, double seconds, double? target)
    {
        if (stored != unique) throw new BenchException($"{name}: {stored:N0} readings stored, {unique:N0} expected (dedupe broken)");
        var rate = offered / seconds;
        var met = target is not { } t || rate >= t;
        table.Add(name, $"{offered:N0}", $"{stored:N0}", $"{seconds:N2} s", $"{rate:N0}/s", $"{unique / seconds:N0}/s",
            target is { } goal ? $">= {goal:N0}/s" : "", target is null ? "" : met ? "PASS" : "FAIL");
        return met;
    }

    private static async Task<(long Stored, double Seconds)> InsertAllAsync(ICollectorStore store, IReadOnlyList<Batch> batches, CancellationToken cancellationToken)
    {
        long next = -1, stored = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var index = Interlocked.Increment(ref next); index < batches.Count; index = Interlocked.Increment(ref next))
            {
                var inserted = await store.InsertReadingsAsync(batches[(int)index].Readings, cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref stored, inserted);
            }
        }, cancellationToken))).ConfigureAwait(false);
        return (stored, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Batches in delivery order, built before the clock starts; every tenth is delivered again two batches later.</summary>
    private static List<Batch> MakeBatches(long readings)
    {
        var batches = new List<Batch>();
        var sequences = new ulong[Sites];
        var received = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        var pending = new Queue<(int Due, Batch Batch)>();
        for (var made = 0L; made < readings; made += BatchReadings)
        {
            var site = batches.Count % Sites;
            var siteId = $"site-{site:D2}";
            var list = new List<IngestedReading>(BatchReadings);
            for (var i = 0; i < BatchReadings; i++)
            {
                var sequence = ++sequences[site];
                var time = received.AddTicks(-(long)(BatchReadings - i) * 20_000);
                list.Add(new IngestedReading(siteId, sequence, $"device-{i % 3}", 103, 1, Points[i % Points.Length], Math.Round(1000 * Math.Sin(sequence * 0.01), 2),
                    null, "W", EdgeQuality.Good, time, received, Historical: false));
            }
            var batch = new Batch(list, Redelivery: false);
            batches.Add(batch);
            if (batches.Count % RedeliverEvery == 0) pending.Enqueue((batches.Count + 2, batch with { Redelivery = true }));
            while (pending.Count > 0 && pending.Peek().Due <= batches.Count) batches.Add(pending.Dequeue().Batch);
        }
        batches.AddRange(pending.Select(p => p.Batch));
        return batches;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private sealed record Batch(IReadOnlyList<IngestedReading> Readings, bool Redelivery);
}
