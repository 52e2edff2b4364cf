namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// The circuit breaker's time in the link's <see cref="TimeProvider"/> ticks, and when a paused unit may be tried
/// again; shared by the TCP link and the RTU bus so both report the same retry time.
/// </summary>
internal sealed class BreakerClock(TimeProvider time)
{
    public long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    public TimeSpan ToTimeSpan(long ticks) => TimeSpan.FromSeconds((double)ticks / time.TimestampFrequency);

    public DateTimeOffset RetryAfter(CircuitBreaker breaker)
    {
        var wait = breaker.OpenUntil - time.GetTimestamp();
        return time.GetUtcNow() + (wait > 0 ? ToTimeSpan(wait) : TimeSpan.Zero);
    }
}
