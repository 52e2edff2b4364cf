using Nexwatt.HardwareSim.Faults;

namespace Nexwatt.HardwareSim.Site;

/// <summary>
/// A device as the user described it (flag or site file), before listeners and unit ids are assigned.
/// Null means "not given": the planner fills in the defaults.
/// </summary>
internal sealed record DeviceDraft
{
    public required DeviceKind Kind { get; init; }
    public string? Name { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public int? UnitId { get; init; }
    public double? RatedPowerWatts { get; init; }
    public int? Phases { get; init; }
    public double? CapacityWattHours { get; init; }
    public double? MaxChargeWatts { get; init; }
    public double? MaxDischargeWatts { get; init; }
    public double? InitialSocPercent { get; init; }
    public string? SerialNumber { get; init; }
    public FaultPlan? Faults { get; init; }

    /// <summary>Where the draft came from, for error messages (e.g. "--device #2", "site.json devices[1]").</summary>
    public required string Origin { get; init; }
}
