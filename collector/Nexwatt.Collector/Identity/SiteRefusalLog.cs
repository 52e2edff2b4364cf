namespace Nexwatt.Collector.Identity;

/// <summary>The rate limit of refused-identity log lines, one per collector.</summary>
internal sealed class SiteRefusalLog(TimeProvider time)
{
    public LogRateLimiter Limiter { get; } = new(time);
}
