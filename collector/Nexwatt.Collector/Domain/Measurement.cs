namespace Nexwatt.Collector.Domain;

/// <summary>
/// The canonical quantities the collector keeps, each in one unit with one sign convention:
/// export / discharge positive, import / charge negative (docs: collector/README.md).
/// </summary>
public enum Measurement
{
    /// <summary>Active power at the device's AC terminals, watts; export / discharge positive.</summary>
    ActivePowerW,
    /// <summary>Reactive power, var; positive when the device injects (over-excited).</summary>
    ReactivePowerVar,
    /// <summary>Apparent power, VA.</summary>
    ApparentPowerVa,
    /// <summary>Lifetime AC energy exported by the device, watt-hours (an accumulator).</summary>
    EnergyExportedWh,
    /// <summary>Battery state of charge, percent of usable capacity.</summary>
    StateOfChargePct,
    /// <summary>Grid frequency, hertz.</summary>
    FrequencyHz,
    /// <summary>AC voltage, line to neutral (phase A or the single phase), volts.</summary>
    VoltageV,
    /// <summary>Total AC current, amperes.</summary>
    CurrentA,
    /// <summary>DC power from the array, watts.</summary>
    DcPowerW,
    /// <summary>Lifetime AC energy imported by the device (consumed, charged, drawn from the grid), watt-hours (an accumulator).</summary>
    EnergyImportedWh,
}

/// <summary>Why an interval (or a sample) is not plain good data. Flagged data is kept and marked, never passed on as good.</summary>
[Flags]
public enum QualityFlags
{
    None = 0,
    /// <summary>No sample at all in the interval, or coverage below the asset's threshold.</summary>
    Missing = 1,
    /// <summary>At least one sample arrived after its interval had closed.</summary>
    Late = 2,
    /// <summary>The value did not change over a span where a live device would (a frozen value).</summary>
    Stale = 4,
    /// <summary>A value beyond what the asset's nameplate allows.</summary>
    OutOfRange = 8,
    /// <summary>Readings for this span were evicted at the edge and are lost.</summary>
    Gap = 16,
    /// <summary>The value was computed, not measured (e.g. derived or filled in).</summary>
    Estimated = 32,
    /// <summary>
    /// The source time was further ahead of the collector's clock at receipt than <c>Collector:MaxSourceTimeAhead</c>
    /// allows (a device clock gone wrong): kept, never the asset's latest value.
    /// </summary>
    Future = 64,
    /// <summary>The interval has ended but not closed: samples may still arrive within the late grace, so coverage may still grow.</summary>
    Open = 128,
}

/// <summary>One normalized sample of one asset: canonical unit and sign.</summary>
public sealed record NormalizedSample(
    string AssetId,
    Measurement Measurement,
    double Value,
    DateTimeOffset SourceTime,
    DateTimeOffset ReceivedTime,
    QualityFlags Flags,
    string SiteId,
    ulong Sequence,
    bool Historical);

/// <summary>The aggregate of one asset's measurement over one telemetry interval [Start, Start + Length).</summary>
public sealed record IntervalRecord(
    string AssetId,
    Measurement Measurement,
    DateTimeOffset Start,
    TimeSpan Length,
    double? Average,
    double? Minimum,
    double? Maximum,
    double? Last,
    double Coverage,
    int SampleCount,
    QualityFlags Flags);
