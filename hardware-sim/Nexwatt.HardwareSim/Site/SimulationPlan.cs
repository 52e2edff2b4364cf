using System.Net;
using Nexwatt.HardwareSim.Faults;

namespace Nexwatt.HardwareSim.Site;

/// <summary>A validated simulation: the site, its devices and the listeners that serve them.</summary>
internal sealed record SimulationPlan(SiteSettings Site, IReadOnlyList<ListenerPlan> Listeners)
{
    public IEnumerable<DevicePlan> Devices => Listeners.SelectMany(l => l.Devices);
}

/// <summary>Site-wide settings: location for the sun, clock, randomness and output mode.</summary>
internal sealed record SiteSettings(
    double LatitudeDegrees,
    double LongitudeDegrees,
    TimeZoneInfo TimeZone,
    DateTimeOffset? StartTime,
    double ClockSpeed,
    int Seed,
    bool NoTable);

/// <summary>One TCP listener and the unit ids it serves.</summary>
internal sealed record ListenerPlan(IPEndPoint Endpoint, IReadOnlyList<DevicePlan> Devices);

/// <summary>One device with every default filled in.</summary>
internal sealed record DevicePlan
{
    public required string Name { get; init; }
    public required DeviceKind Kind { get; init; }
    public required byte UnitId { get; init; }
    public required IPEndPoint Endpoint { get; init; }
    public required double RatedPowerWatts { get; init; }
    public int Phases { get; init; } = 3;
    public double CapacityWattHours { get; init; }
    public double MaxChargeWatts { get; init; }
    public double MaxDischargeWatts { get; init; }
    public double InitialSocPercent { get; init; } = 50;
    public required string SerialNumber { get; init; }
    public FaultPlan Faults { get; init; } = FaultPlan.None;
}
