namespace Nexwatt.Collector.Observability;

/// <summary>When the interval worker last finished a round, and whether its last use of the store failed.</summary>
internal sealed class IntervalWorkerStatus(TimeProvider time)
{
    private long _lastRoundTicks = time.GetUtcNow().UtcTicks;
    private string? _lastFailure;

    public string? LastFailure => Volatile.Read(ref _lastFailure);

    public TimeSpan Lag(DateTimeOffset now) => now - new DateTimeOffset(Interlocked.Read(ref _lastRoundTicks), TimeSpan.Zero);

    /// <param name="storeAnswered">
    /// Whether the round used the store. Only such a round clears a failure: most rounds have nothing to recompute and
    /// touch no table, and would otherwise make a store that fails at every sweep look healthy 9 seconds in 10.
    /// </param>
    public void RoundDone(bool storeAnswered)
    {
        Interlocked.Exchange(ref _lastRoundTicks, time.GetUtcNow().UtcTicks);
        if (storeAnswered) Volatile.Write(ref _lastFailure, null);
    }

    public void RoundFailed(string reason) => Volatile.Write(ref _lastFailure, reason);
}
