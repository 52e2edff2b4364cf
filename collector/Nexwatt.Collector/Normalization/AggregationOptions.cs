using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>Thresholds of <see cref="IntervalAggregator"/>; defaults are documented in Normalization/README.md.</summary>
public sealed class AggregationOptions
{
    /// <summary>An interval whose coverage is below this fraction is <see cref="QualityFlags.Missing"/> (default 0.5).</summary>
    public double MissingCoverageThreshold { get; init; } = 0.5;

    /// <summary>The most sub-slots an interval is cut into to measure coverage (default 10).</summary>
    public int MaximumSlotsPerInterval { get; init; } = 10;

    /// <summary>
    /// How often the edge polls the device, when known. Null (the default) infers it as the median spacing of the
    /// samples given to one aggregation, since the collector is not told the edge's poll period.
    /// </summary>
    public TimeSpan? SamplePeriod { get; init; }

    /// <summary>A sample received later than its interval's end plus this grace is <see cref="QualityFlags.Late"/> (default 10 s).</summary>
    public TimeSpan LateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At least this many identical samples make an interval <see cref="QualityFlags.Stale"/> (default 3).</summary>
    public int StaleMinimumSamples { get; init; } = 3;

    /// <summary>
    /// Measurements a live device never holds exactly constant while nonzero (power and current jitter). Frequency
    /// and voltage are left out because a coarse scale factor can hold them legitimately; energy and state of
    /// charge hold still whenever the device idles.
    /// </summary>
    public IReadOnlySet<Measurement> StaleMeasurements { get; init; } = new HashSet<Measurement>
    {
        Measurement.ActivePowerW, Measurement.ReactivePowerVar, Measurement.ApparentPowerVa, Measurement.CurrentA, Measurement.DcPowerW,
    };

    /// <summary>The most intervals one call may produce (default 100 000), so a typo in a window cannot exhaust memory.</summary>
    public int MaximumIntervals { get; init; } = 100_000;

    /// <summary>Throws when a threshold is not usable.</summary>
    public void Validate()
    {
        if (!(MissingCoverageThreshold is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(MissingCoverageThreshold), MissingCoverageThreshold, "Must be within 0..1.");
        if (MaximumSlotsPerInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(MaximumSlotsPerInterval), MaximumSlotsPerInterval, "Must be at least 1.");
        if (SamplePeriod is { } period && period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SamplePeriod), period, "Must be positive.");
        if (LateGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LateGrace), LateGrace, "Must not be negative.");
        if (StaleMinimumSamples < 2) throw new ArgumentOutOfRangeException(nameof(StaleMinimumSamples), StaleMinimumSamples, "Must be at least 2.");
        if (MaximumIntervals < 1) throw new ArgumentOutOfRangeException(nameof(MaximumIntervals), MaximumIntervals, "Must be at least 1.");
        ArgumentNullException.ThrowIfNull(StaleMeasurements);
    }
}
