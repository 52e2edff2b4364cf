using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>Why a reading produced no sample. Storage keeps every raw reading regardless.</summary>
public enum SkipReason
{
    /// <summary>No row of the mapping table takes this (model, point).</summary>
    Unmapped,
    /// <summary>The edge reported the point as not implemented: there is no value.</summary>
    NotImplemented,
    /// <summary>A good reading without a number (text or enum points).</summary>
    NoValue,
    /// <summary>The unit is unknown or of another dimension than the measurement (e.g. kWh for power).</summary>
    UnknownUnit,
    /// <summary>The value is NaN or infinite.</summary>
    NotFinite,
    /// <summary>A higher-priority point of the same poll already gave this measurement.</summary>
    Superseded,
    /// <summary>The reading comes from another site or device than the asset's link.</summary>
    OtherDevice,
}

/// <summary>A reading that produced no sample, and why.</summary>
public sealed record SkippedReading(IngestedReading Reading, SkipReason Reason);

/// <summary>What <see cref="Normalizer"/> made of a set of readings.</summary>
/// <param name="Samples">Canonical samples, ordered by source time then sequence.</param>
/// <param name="Skipped">Readings that produced no sample (useful for debug logging and tests).</param>
public sealed record NormalizationResult(IReadOnlyList<NormalizedSample> Samples, IReadOnlyList<SkippedReading> Skipped);
