namespace Nexwatt.Collector.Observability;

/// <summary>When the interval worker last finished a round, and whether its last round failed (the store did).</summary>
internal sealed class IntervalWorkerStatus(TimeProvider time)
{
    private long _lastRoundTicks = time.GetUtcNow().UtcTicks;
    private string? _lastFailure;

    public string? LastFailure => Volatile.Read(ref _lastFailure);

    public TimeSpan Lag(DateTimeOffset now) => now - new DateTimeOffset(Interlocked.Read(ref _lastRoundTicks), TimeSpan.Zero);

    public void RoundDone()
    {
        Interlocked.Exchange(ref _lastRoundTicks, time.GetUtcNow().UtcTicks);
        Volatile.Write(ref _lastFailure, null);
    }

    public void RoundFailed(string reason) => Volatile.Write(ref _lastFailure, reason);
}
