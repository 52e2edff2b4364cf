using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Dispatch.Settlement;

/// <summary>
/// The performance and settlement report of one dispatch. Power and energy are magnitudes in the dispatch's
/// direction (see <see cref="DeliveryMethod"/>); rows are ordered by time, then cohort, then asset id (ordinal).
/// </summary>
public sealed record SettlementReport(
    string DispatchId,
    string ResourceId,
    DispatchDirection Direction,
    double MegawattsRequested,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    TimeSpan SettlementInterval,
    string BaselineMethod,
    string DeliveryMethod,
    IReadOnlyList<AssetIntervalRow> AssetIntervals,
    IReadOnlyList<CohortIntervalRow> CohortIntervals,
    IReadOnlyList<FleetIntervalRow> FleetIntervals,
    IReadOnlyList<AssetTotal> Assets,
    IReadOnlyList<CohortTotal> Cohorts,
    FleetTotal Fleet,
    CapacityPayment Payment);

/// <summary>
/// One asset over one settlement interval. <paramref name="MeteredKw"/> is null when no telemetry interval in it
/// holds data; <paramref name="Flags"/> are the union of the flags of the telemetry intervals it rests on (Missing
/// for an absent one, whose time counts as zero delivery); <paramref name="BaselineFlags"/> those of the baseline.
/// </summary>
public sealed record AssetIntervalRow(
    DateTimeOffset Start,
    DateTimeOffset End,
    string AssetId,
    string SiteId,
    string Cohort,
    double InstructedKw,
    double? MeteredKw,
    double? BaselineKw,
    double DeliveredKw,
    QualityFlags Flags,
    QualityFlags BaselineFlags)
{
    /// <summary>True when the row rests on anything but plain good data.</summary>
    public bool IsFlagged => Flags != QualityFlags.None || BaselineFlags != QualityFlags.None;
}

/// <summary>One cohort over one settlement interval: sums over its instructed assets (metered and baseline over
/// those with data), the flagged assets, and the union of their flags.</summary>
public sealed record CohortIntervalRow(
    DateTimeOffset Start,
    DateTimeOffset End,
    string Cohort,
    int AssetCount,
    double InstructedKw,
    double MeteredKw,
    double BaselineKw,
    double DeliveredKw,
    int FlaggedAssets,
    QualityFlags Flags);

/// <summary>The fleet over one settlement interval against the request; the ratio is delivered / requested.</summary>
public sealed record FleetIntervalRow(
    DateTimeOffset Start,
    DateTimeOffset End,
    double RequestedMw,
    double InstructedMw,
    double DeliveredMw,
    double? PerformanceRatio,
    int FlaggedAssets,
    QualityFlags Flags);

/// <summary>One asset over the window; the ratio is delivered / instructed (null when nothing was instructed).</summary>
public sealed record AssetTotal(
    string AssetId,
    string SiteId,
    string Cohort,
    double InstructedMwh,
    double DeliveredMwh,
    double? PerformanceRatio,
    int FlaggedIntervals,
    double? BaselineKw,
    QualityFlags BaselineFlags);

/// <summary>One cohort over the window, with its share of the capacity payment.</summary>
public sealed record CohortTotal(
    string Cohort,
    int AssetCount,
    double InstructedMwh,
    double DeliveredMwh,
    double? PerformanceRatio,
    int FlaggedIntervals,
    decimal CapacityPayment);

/// <summary>The fleet over the window: requested = requested MW x window hours.</summary>
public sealed record FleetTotal(
    double RequestedMwh,
    double InstructedMwh,
    double DeliveredMwh,
    double? PerformanceRatio,
    int FlaggedIntervals);

/// <summary>
/// The capacity payment (price x requested MW, rounded to cents) and how it was attributed:
/// <paramref name="Attributed"/> + <paramref name="Unattributed"/> == <paramref name="Amount"/> exactly.
/// </summary>
public sealed record CapacityPayment(
    decimal PricePerMw,
    string Currency,
    decimal Amount,
    decimal Attributed,
    decimal Unattributed,
    string Method);
