namespace Nexwatt.Collector.Normalization;

/// <summary>Plausibility limits of <see cref="Normalizer"/>. Values beyond them are kept and flagged, never dropped.</summary>
public sealed class NormalizerOptions
{
    /// <summary>
    /// Active power may exceed the nameplate by this factor before it is out of range (default 1.1): inverters
    /// briefly overshoot a setpoint, meters carry a tolerance, and a kW nameplate is rounded, so exactly 100 %
    /// would flag healthy devices.
    /// </summary>
    public double PowerMarginFactor { get; init; } = 1.1;

    /// <summary>Lowest plausible grid frequency (default 45 Hz; 50 Hz and 60 Hz grids both trip well above it).</summary>
    public double MinimumFrequencyHz { get; init; } = 45;

    /// <summary>Highest plausible grid frequency (default 65 Hz).</summary>
    public double MaximumFrequencyHz { get; init; } = 65;

    /// <summary>
    /// How far a reading's source time may be ahead of the collector's clock when it was received (default 5 minutes:
    /// ordinary clock drift and NTP steps stay well inside it). Further ahead, its sample is flagged
    /// <see cref="Domain.QualityFlags.Future"/>: stored, and never the asset's latest value.
    /// </summary>
    public TimeSpan MaximumAheadOfReceipt { get; init; } = DefaultMaximumAheadOfReceipt;

    /// <summary>The default of <see cref="MaximumAheadOfReceipt"/>.</summary>
    public static readonly TimeSpan DefaultMaximumAheadOfReceipt = TimeSpan.FromMinutes(5);

    /// <summary>Throws when a limit is not usable.</summary>
    public void Validate()
    {
        if (MaximumAheadOfReceipt < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaximumAheadOfReceipt), MaximumAheadOfReceipt, "Must not be negative.");
        if (!double.IsFinite(PowerMarginFactor) || PowerMarginFactor < 1)
            throw new ArgumentOutOfRangeException(nameof(PowerMarginFactor), PowerMarginFactor, "Must be finite and at least 1.");
        if (!double.IsFinite(MinimumFrequencyHz) || !double.IsFinite(MaximumFrequencyHz) || MinimumFrequencyHz >= MaximumFrequencyHz)
            throw new ArgumentOutOfRangeException(nameof(MinimumFrequencyHz), "Frequency limits must be finite with minimum < maximum.");
    }
}
