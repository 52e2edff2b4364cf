using System.Diagnostics;
using Nexwatt.Bench.Harness;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>One site as its agent sees it: its telemetry and its token.</summary>
internal sealed record BenchSite(InverterPolls Polls, string Token);

/// <summary>What one load phase did: readings offered (redeliveries included) and newly stored, its wall time and latencies.</summary>
internal sealed record LoadResult(long Offered, long Unique, double Seconds, Latency Latency)
{
    public double OfferedPerSecond => Offered / Seconds;

    public double StoredPerSecond => Unique / Seconds;
}

/// <summary>Reading-to-stored latencies of one phase, in milliseconds (nearest-rank percentiles).</summary>
internal sealed record Latency(int Count, double P50, double P99, double Max)
{
    public static Latency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0) return new Latency(0, double.NaN, double.NaN, double.NaN);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Latency(sorted.Length, Rank(0.50), Rank(0.99), sorted[^1]);
    }
}

/// <summary>Shared by both transports: a batch schedule for paced phases and the wall clock in microseconds.</summary>
internal static class IngestLoad
{
    /// <summary>Every tenth batch of an agent is sent again right after the next one (a redelivery after a lost ack).</summary>
    public const int RedeliverEvery = 10;

    public static long NowMicroseconds() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>
    /// Waits until batch <paramref name="index"/> of a paced schedule is due (no wait when unpaced or late). Each agent
    /// is offset by its <paramref name="phase"/> (0..1) of the period, as independent sites are: in step, every agent
    /// would send at the same instant and the bursts, not the load, would set the latency.
    /// </summary>
    public static async Task WaitForTurnAsync(long startTimestamp, double? batchesPerSecond, int index, double phase, CancellationToken cancellationToken)
    {
        if (batchesPerSecond is not { } rate) return;
        var due = TimeSpan.FromSeconds((index + phase) / rate) - Stopwatch.GetElapsedTime(startTimestamp);
        if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Batches per site for a phase of <paramref name="seconds"/> at <paramref name="readingsPerSecond"/> in total.</summary>
    public static int BatchesFor(double readingsPerSecond, double seconds, int sites) =>
        Math.Max(RedeliverEvery, (int)Math.Ceiling(readingsPerSecond * seconds / sites / InverterPolls.ReadingsPerBatch));

    /// <summary>Agent <paramref name="agent"/> of <paramref name="agents"/>, spread evenly over one period.</summary>
    public static double PhaseOf(int agent, int agents) => (double)agent / agents;

    public static void Check(bool condition, string problem)
    {
        if (!condition) throw new BenchException(problem);
    }
}
