using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Dispatch.Settlement;

/// <summary>
/// Everything a settlement report rests on: the instruction, the schedule the collector instructed, and each
/// instructed asset's <see cref="Measurement.ActivePowerW"/> intervals over the window and the baseline period
/// before it.
/// </summary>
/// <param name="CapacityPricePerMw">The event's capacity price, in <paramref name="Currency"/> per requested MW
/// (from configuration); the payment is price x requested MW, rounded to cents.</param>
public sealed record SettlementInput(
    string DispatchId,
    string ResourceId,
    DispatchDirection Direction,
    double MegawattsRequested,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    decimal CapacityPricePerMw,
    string Currency,
    IReadOnlyList<InstructedSpan> Schedule,
    IReadOnlyList<AssetTelemetry> Telemetry)
{
    /// <summary>The default <see cref="BaselineIntervals"/>.</summary>
    public const int DefaultBaselineIntervals = 6;

    /// <summary>How many of the asset's telemetry intervals just before the window its baseline averages; 0: no baseline.</summary>
    public int BaselineIntervals { get; init; } = DefaultBaselineIntervals;

    /// <summary>
    /// The report's interval, stepped from the window start (the last one cut at the window end). Null: the longest
    /// telemetry interval among the instructed assets (the window, when none has telemetry).
    /// </summary>
    public TimeSpan? SettlementInterval { get; init; }
}

/// <summary>
/// One asset instructed to <paramref name="Kilowatts"/> (a magnitude in the dispatch's direction) over
/// [<paramref name="From"/>, <paramref name="To"/>). A re-allocation ends the asset's span and starts a new one;
/// one asset's spans never overlap. <paramref name="Program"/> is the subscriber cohort.
/// </summary>
public sealed record InstructedSpan(string AssetId, string SiteId, string Program, double Kilowatts, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// One asset's telemetry interval and its <see cref="Measurement.ActivePowerW"/> records (export positive), as the
/// aggregator wrote them on its epoch-aligned grid (records must not overlap); time without a record is missing.
/// </summary>
public sealed record AssetTelemetry(string AssetId, TimeSpan Interval, IReadOnlyList<IntervalRecord> ActivePower);
