namespace Nexwatt.Protos;

/// <summary>
/// Instants on the wire: microseconds since the Unix epoch, UTC, as every <c>*_time_us</c> field of
/// <c>protos/nexwatt/v1</c> says. Both ends convert here, so no side truncates to milliseconds or rounds differently.
/// </summary>
public static class WireTime
{
    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;
    private static readonly long MinMicroseconds = (DateTimeOffset.MinValue.UtcTicks - EpochTicks) / TimeSpan.TicksPerMicrosecond;
    private static readonly long MaxMicroseconds = (DateTimeOffset.MaxValue.UtcTicks - EpochTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>The instant in microseconds since the epoch; sub-microsecond ticks are dropped (towards the epoch).</summary>
    public static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - EpochTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// The instant of a wire value. A value beyond what <see cref="DateTimeOffset"/> holds (years 1 to 9999) is
    /// clamped to that range rather than throwing: it comes from another machine, and the caller judges it.
    /// </summary>
    public static DateTimeOffset FromMicroseconds(long microseconds) =>
        new(EpochTicks + Math.Clamp(microseconds, MinMicroseconds, MaxMicroseconds) * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
}
