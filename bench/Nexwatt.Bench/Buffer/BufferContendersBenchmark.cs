using System.Diagnostics;
using Nexwatt.Bench.Harness;

namespace Nexwatt.Bench.Buffer;

/// <summary>
/// `nexwatt-bench buffer-contenders`: our SQLite buffer against LiteDB with the same readings in polls of 1,000 from
/// <see cref="Writers"/> concurrent writers, rounds interleaved (each contender once per round, fresh files), medians
/// reported: append and drain readings/s, bytes per reading on disk and written to storage (the kernel's count). Then
/// a SIGKILL loop per contender: a child process appends and prints each id the store called committed; it is killed
/// at a random moment, the file is reopened here and every printed id must be in it.
/// </summary>
internal static class BufferContendersBenchmark
{
    public const int PollReadings = 1_000;
    private const int Writers = 16;

    private static readonly (string Name, Func<string, IBufferContender> Open, string Kind)[] Contenders =
    [
        (SqliteBufferContender.Name, path => new SqliteBufferContender(path), "sqlite"),
        (LiteDbBufferContender.PerReadingName, path => new LiteDbBufferContender(path, perReading: true), "litedb-reading"),
        (LiteDbBufferContender.PerPollName, path => new LiteDbBufferContender(path, perReading: false), "litedb-poll"),
        (LiteDbBufferContender.PerPollCheckpointName, path => new LiteDbBufferContender(path, perReading: false, checkpointEachCommit: true), "litedb-poll-checkpoint"),
    ];

    public static IBufferContender Open(string kind, string path) =>
        Contenders.FirstOrDefault(c => c.Kind == kind).Open?.Invoke(path) ?? throw new BenchException($"unknown buffer contender '{kind}'");

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var polls = Math.Max(1, arguments.Readings / PollReadings);
        var results = Contenders.Select(_ => new List<Figures>()).ToArray();
        for (var round = 0; round < arguments.Rounds; round++)
        {
            for (var i = 0; i < Contenders.Length; i++)
            {
                Progress.Step($"buffer-contenders: round {round + 1}/{arguments.Rounds}: {Contenders[i].Name}, {polls * PollReadings:N0} readings");
                results[i].Add(await MeasureAsync(Contenders[i].Open, polls, cancellationToken).ConfigureAwait(false));
            }
        }

        var table = new TextTable("store", "append readings/s", "drain readings/s", "B/reading on disk", "B/reading written", "vs ours (append / drain)");
        var ours = Summary(results[0]);
        for (var i = 0; i < Contenders.Length; i++)
        {
            var s = Summary(results[i]);
            table.Add(Contenders[i].Name, $"{s.Append:N0} ({string.Join(" / ", results[i].Select(f => f.Append.ToString("N0")))})",
                $"{s.Drain:N0}", $"{s.DiskBytes:N1}", s.WrittenBytes is { } w ? $"{w:N1}" : "n/a", $"{s.Append / ours.Append:0.00} / {s.Drain / ours.Drain:0.00}");
        }
        Console.WriteLine();
        Console.WriteLine($"Buffer contenders: {polls * PollReadings:N0} readings in polls of {PollReadings:N0} from {Writers} writers, medians of {arguments.Rounds} interleaved rounds, {Environment.ProcessorCount} cores, load {BufferBenchmark.LoadAverage()}");
        Console.WriteLine(table);

        var killTable = new TextTable("store", "kills", "polls acknowledged", "acknowledged but missing", "reopen failures");
        var lost = false;
        foreach (var (name, _, kind) in Contenders)
        {
            Progress.Step($"buffer-contenders: SIGKILL loop, {arguments.Kills} kills: {name}");
            var outcome = await BufferKillLoop.RunAsync(kind, arguments.Kills, cancellationToken).ConfigureAwait(false);
            killTable.Add(name, $"{arguments.Kills}", $"{outcome.Acknowledged:N0}", $"{outcome.Missing:N0}", $"{outcome.ReopenFailures}");
            lost |= outcome.Missing > 0 || outcome.ReopenFailures > 0;
        }
        Console.WriteLine();
        Console.WriteLine("SIGKILL loop (a process crash, not a power cut: what the kernel has is kept either way)");
        Console.WriteLine(killTable);
        return !lost;
    }

    private static async Task<Figures> MeasureAsync(Func<string, IBufferContender> open, long polls, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-contender-").FullName;
        try
        {
            var contender = open(Path.Combine(folder, "buffer.db"));
            await using (contender.ConfigureAwait(false))
            {
                var readings = polls * PollReadings;
                var written = BufferBenchmark.KernelWriteBytes();
                var clock = Stopwatch.StartNew();
                long next = 0;
                await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
                {
                    for (var index = Interlocked.Increment(ref next) - 1; index < polls; index = Interlocked.Increment(ref next) - 1)
                        await contender.AppendAsync($"device-{writer}", BufferBenchmark.Poll(index, PollReadings), cancellationToken).ConfigureAwait(false);
                }, cancellationToken))).ConfigureAwait(false);
                var append = readings / clock.Elapsed.TotalSeconds;
                var disk = contender.BytesOnDisk / (double)readings;
                var writtenBytes = BufferBenchmark.KernelWriteBytes() - written;

                clock.Restart();
                var drained = await contender.DrainAsync(cancellationToken).ConfigureAwait(false);
                var drain = readings / clock.Elapsed.TotalSeconds;
                if (drained != readings) throw new BenchException($"drained {drained:N0} of {readings:N0} readings");
                return new Figures(append, drain, disk, writtenBytes / (double?)readings);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Figures Summary(List<Figures> rounds) => new(
        Statistics.Median(rounds.Select(r => r.Append).ToList()),
        Statistics.Median(rounds.Select(r => r.Drain).ToList()),
        Statistics.Median(rounds.Select(r => r.DiskBytes).ToList()),
        rounds.All(r => r.WrittenBytes is not null) ? Statistics.Median(rounds.Select(r => r.WrittenBytes!.Value).ToList()) : null);

    private sealed record Figures(double Append, double Drain, double DiskBytes, double? WrittenBytes);
}
