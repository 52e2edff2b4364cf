namespace Nexwatt.Collector.Observability;

/// <summary>
/// Whether the collector is ready (/readyz on the management port): its store answers and the interval worker keeps
/// up. Both are seen through the worker, which touches the store every second: a round that failed is a store that
/// failed, and no finished round for <see cref="MaxWorkerLag"/> is a worker that lags (or hangs).
/// </summary>
internal sealed class CollectorHealth(IntervalWorkerStatus worker, TimeProvider time)
{
    /// <summary>Thirty rounds of one second: well past a slow round, short of an interval (usually five minutes) gone stale.</summary>
    public static readonly TimeSpan MaxWorkerLag = TimeSpan.FromSeconds(30);

    public IReadOnlyList<(string Code, string Message)> Problems()
    {
        var problems = new List<(string, string)>();
        if (worker.LastFailure is { } failure)
            problems.Add(("store_failing", $"the store failed the interval worker: {failure}"));
        var lag = worker.Lag(time.GetUtcNow());
        if (lag > MaxWorkerLag)
            problems.Add(("interval_worker_lagging", $"the interval worker has not finished a round for {Math.Round(lag.TotalSeconds)} s"));
        return problems;
    }
}
