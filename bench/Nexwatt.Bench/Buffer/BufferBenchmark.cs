using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Bench.Harness;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.Buffer;

/// <summary>
/// The agent's durable buffer in this process, on a temporary folder: N readings appended in polls of 100 by
/// 256 concurrent "pollers" (group commit, synchronous=FULL), the file reopened (quick_check), then drained the way
/// the uplink does (read by sequence cursor, acknowledge without waiting for each ack's commit).
/// </summary>
internal static class BufferBenchmark
{
    private const int ChunkReadings = 100;
    private const int Appenders = 256;
    private const int DrainReadings = 10_000;
    private const double AppendTarget = 100_000, DrainTarget = 50_000;
    private const long MemoryTarget = 100L * 1024 * 1024;

    // Points of a SunSpec inverter (model 103), cycled to make polls of realistic names, units and sizes.
    private static readonly (string Point, string Unit)[] Points =
    [
        ("A", "A"), ("AphA", "A"), ("AphB", "A"), ("AphC", "A"), ("PPVphAB", "V"), ("PPVphBC", "V"), ("PPVphCA", "V"), ("PhVphA", "V"),
        ("PhVphB", "V"), ("PhVphC", "V"), ("W", "W"), ("Hz", "Hz"), ("VA", "VA"), ("VAr", "var"), ("PF", "Pct"), ("WH", "Wh"),
        ("DCA", "A"), ("DCV", "V"), ("DCW", "W"), ("TmpCab", "C"), ("TmpSnk", "C"), ("St", ""), ("StVnd", ""), ("Evt1", ""), ("Evt2", ""),
    ];

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"nexwatt-bench-buffer-{Guid.NewGuid():N}");
        var options = new BufferOptions { Path = Path.Combine(folder, "buffer.db"), MaxBytes = long.MaxValue / 4 };
        var chunks = arguments.Readings / ChunkReadings;
        var total = chunks * ChunkReadings;
        try
        {
            var ioStart = KernelWriteBytes();
            var buffer = ReadingBuffer.Open(options, TimeProvider.System, NullLogger.Instance);
            Progress.Step($"buffer: appending {total:N0} readings in polls of {ChunkReadings} from {Appenders} concurrent pollers into {options.Path}");
            var clock = Stopwatch.StartNew();
            long next = 0;
            await Task.WhenAll(Enumerable.Range(0, Appenders).Select(poller => Task.Run(async () =>
            {
                for (var index = Interlocked.Increment(ref next) - 1; index < chunks; index = Interlocked.Increment(ref next) - 1)
                    await buffer.AppendAsync($"device-{poller}", Poll(index), cancellationToken).ConfigureAwait(false);
            }, cancellationToken))).ConfigureAwait(false);
            var appendSeconds = clock.Elapsed.TotalSeconds;
            var appended = buffer.GetStatistics();
            var (rss, peak) = ResidentMemory();
            var ioAppend = KernelWriteBytes() - ioStart;
            if (appended.ReadingsBuffered != total) throw new BenchException($"{appended.ReadingsBuffered} readings buffered, {total} expected");

            Progress.Step("buffer: closing and reopening (quick_check of the whole file)");
            await buffer.DisposeAsync().ConfigureAwait(false);
            clock.Restart();
            buffer = ReadingBuffer.Open(options, TimeProvider.System, NullLogger.Instance);
            var reopenSeconds = clock.Elapsed.TotalSeconds;

            Progress.Step($"buffer: draining (read {DrainReadings} readings at a time, acknowledge)");
            clock.Restart();
            ulong cursor = 0;
            long drained = 0;
            var acks = new List<Task>();
            while (await buffer.ReadAsync(cursor, ulong.MaxValue, DrainReadings, cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
            {
                foreach (var chunk in batch) drained += chunk.Readings.Count;
                acks.Add(buffer.AcknowledgeAsync([.. batch.Select(c => c.Id)], cancellationToken).AsTask());
                cursor = batch[^1].LastSequence + 1;
            }
            await Task.WhenAll(acks).ConfigureAwait(false);
            await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
            var drainSeconds = clock.Elapsed.TotalSeconds;
            var left = buffer.GetStatistics().ReadingsBuffered;
            await buffer.DisposeAsync().ConfigureAwait(false);
            if (drained != total || left != 0) throw new BenchException($"drained {drained} of {total} readings, {left} left in the buffer");

            var appendRate = total / appendSeconds;
            var drainRate = total / drainSeconds;
            string Verdict(bool ok) => ok ? "PASS" : "FAIL";
            var table = new TextTable("figure", "value", "target", "");
            table.Add("append (group commit, synchronous=FULL)", $"{appendRate:N0} readings/s", $">= {AppendTarget:N0}", Verdict(appendRate >= AppendTarget));
            table.Add("  commits", $"{appended.CommitsTotal:N0} ({total / (double)Math.Max(1, appended.CommitsTotal):N0} readings each)", "", "");
            table.Add("drain (read + acknowledge)", $"{drainRate:N0} readings/s", $">= {DrainTarget:N0}", Verdict(drainRate >= DrainTarget));
            table.Add($"resident memory, {total:N0} buffered (VmRSS)", $"{rss / 1048576.0:N1} MB (peak VmHWM {peak / 1048576.0:N1} MB)", $"< {MemoryTarget / 1048576} MB", Verdict(rss < MemoryTarget));
            table.Add("file size", $"{appended.BytesOnDisk / 1048576.0:N1} MB = {appended.BytesOnDisk / (double)total:N1} B/reading", "", "");
            table.Add("bytes written, buffer's estimate", $"{appended.BytesWrittenTotal / (double)total:N1} B/reading", "", "");
            table.Add("bytes written, kernel (/proc/self/io)", ioAppend is { } io ? $"{io / (double)total:N1} B/reading" : "n/a", "", "");
            table.Add("reopen with quick_check", $"{reopenSeconds:N2} s", "", "");
            Console.WriteLine();
            Console.WriteLine($"Durable buffer: {total:N0} readings in polls of {ChunkReadings}, {Appenders} pollers, {Environment.ProcessorCount} cores, load {LoadAverage()}");
            Console.WriteLine(table);
            return appendRate >= AppendTarget && drainRate >= DrainTarget && rss < MemoryTarget;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }
    }

    internal static List<Reading> Poll(long index, int count = ChunkReadings)
    {
        // One timestamp per poll, 5 s apart per poll index, like a device read every 5 s.
        var time = 1_780_000_000_000_000 + index * 5_000_000;
        var readings = new List<Reading>(count);
        for (var i = 0; i < count; i++)
        {
            var (point, unit) = Points[i % Points.Length];
            readings.Add(new Reading
            {
                ModelId = 103,
                ModelInstance = (uint)(i / Points.Length),
                Point = point,
                Unit = unit,
                Value = Math.Round(1000 * Math.Sin(index * 0.01 + i), 2),
                Quality = Quality.Good,
                SourceTimeUs = time,
            });
        }
        return readings;
    }

    /// <summary>VmRSS and VmHWM of this process, in bytes.</summary>
    internal static (long Current, long Peak) ResidentMemory()
    {
        long Field(string[] lines, string name) =>
            lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
                ? long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024 : -1;
        var status = File.ReadAllLines("/proc/self/status");
        return (Field(status, "VmRSS:"), Field(status, "VmHWM:"));
    }

    /// <summary>Bytes this process caused to be written to storage (the kernel's task I/O accounting), null where it is not available.</summary>
    internal static long? KernelWriteBytes()
    {
        try
        {
            var line = File.ReadAllLines("/proc/self/io").FirstOrDefault(l => l.StartsWith("write_bytes:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    internal static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
