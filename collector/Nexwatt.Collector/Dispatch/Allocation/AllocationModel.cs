using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Dispatch.Allocation;

/// <summary>What the ISO asks of a resource: discharge (export), charge (import) or curtail (cut PV export).</summary>
public enum DispatchDirection
{
    Discharge,
    Charge,
    Curtail,
}

/// <summary>One instruction to allocate: megawatts for a window, in one direction.</summary>
public sealed record AllocationRequest(double MegawattsRequested, DispatchDirection Direction, TimeSpan Window);

/// <summary>
/// One asset the allocator may use, as the collector knows it when the instruction arrives. State of charge and
/// present power come from the latest telemetry (null when unknown); the reserve comes from the asset's program.
/// </summary>
public sealed record AllocationCandidate(
    string AssetId,
    string SiteId,
    string DeviceId,
    AssetType Type,
    string Program,
    double RatedKw,
    double? StorageKwh,
    double? StateOfChargePct,
    double ReservePct,
    double MaxStateOfChargePct,
    double? ActivePowerKw,
    bool Online);

/// <summary>One asset's share: the power it is asked for, the most it could give, and why.</summary>
public sealed record AssetAllocation(
    string AssetId,
    string SiteId,
    string DeviceId,
    string Program,
    double Kilowatts,
    double LimitKw,
    string Reason);

/// <summary>An asset left out, and why (offline, at reserve, no telemetry, wrong type...).</summary>
public sealed record ExcludedAsset(string AssetId, string Reason);

/// <summary>
/// The allocation: per-asset kilowatts (sign: always a positive magnitude in the request's direction), what the
/// fleet is expected to deliver and the shortfall against the request, reported up front.
/// </summary>
public sealed record AllocationResult(
    AllocationRequest Request,
    IReadOnlyList<AssetAllocation> Assets,
    IReadOnlyList<ExcludedAsset> Excluded,
    double MegawattsExpected,
    string Summary)
{
    public double ShortfallMegawatts => Math.Max(0, Request.MegawattsRequested - MegawattsExpected);

    /// <summary>The sum of the usable assets' limits, megawatts: what the fleet could give at most.</summary>
    public double FleetLimitMegawatts { get; init; }

    /// <summary>The common fraction of its limit every usable asset runs at, in [0, 1] (before 0.1 W rounding).</summary>
    public double CommonFraction { get; init; }
}
