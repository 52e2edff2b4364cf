namespace Nexwatt.Collector.Normalization;

/// <summary>
/// The interval grid: interval starts are whole multiples of the interval length since the Unix epoch, in UTC,
/// so every asset with the same length shares boundaries (a 5-minute interval starts at :00, :05, ...).
/// </summary>
public static class IntervalGrid
{
    /// <summary>The start of the interval holding <paramref name="instant"/>.</summary>
    public static DateTimeOffset Floor(DateTimeOffset instant, TimeSpan length)
    {
        CheckLength(length);
        var sinceEpoch = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        // Floor, not truncation: instants before 1970 still fall into the interval that starts before them.
        var start = sinceEpoch - (((sinceEpoch % length.Ticks) + length.Ticks) % length.Ticks);
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + start, TimeSpan.Zero);
    }

    /// <summary>The first interval boundary at or after <paramref name="instant"/>.</summary>
    public static DateTimeOffset Ceiling(DateTimeOffset instant, TimeSpan length)
    {
        var floor = Floor(instant, length);
        return floor.UtcTicks == instant.UtcTicks ? floor : floor + length;
    }

    internal static void CheckLength(TimeSpan length)
    {
        if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(length), length, "An interval length must be positive.");
    }
}
