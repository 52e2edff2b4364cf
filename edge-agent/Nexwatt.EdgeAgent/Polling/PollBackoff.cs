namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// How long a failing device waits before its next try: its poll interval doubled per consecutive failure,
/// capped, with up to 20 % jitter so that devices behind one gateway do not retry in lockstep.
/// </summary>
internal static class PollBackoff
{
    public static readonly TimeSpan Cap = TimeSpan.FromMinutes(2);

    public static TimeSpan Delay(TimeSpan interval, int consecutiveFailures, double jitter01)
    {
        var exponent = Math.Min(Math.Max(consecutiveFailures - 1, 0), 16);
        var baseDelay = TimeSpan.FromTicks(Math.Min(interval.Ticks * (1L << exponent), Math.Max(Cap.Ticks, interval.Ticks)));
        return baseDelay + TimeSpan.FromTicks((long)(baseDelay.Ticks * 0.2 * Math.Clamp(jitter01, 0, 1)));
    }
}
