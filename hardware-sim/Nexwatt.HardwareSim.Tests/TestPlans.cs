using System.Net;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Simulation;
using Nexwatt.HardwareSim.Site;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests;

/// <summary>Ready-made plans and simulations for tests: a site at 52° N, 5° E on midsummer noon UTC.</summary>
internal static class TestPlans
{
    public static readonly DateTimeOffset MidsummerNoon = new(2026, 6, 21, 11, 40, 0, TimeSpan.Zero);

    public static SiteSettings Site(DateTimeOffset? start = null, int seed = 7) =>
        new(52.0, 5.0, TimeZoneInfo.Utc, start ?? MidsummerNoon, 1.0, seed, NoTable: true);

    public static DevicePlan Inverter(string name = "inverter-1", byte unit = 1, int port = 0, FaultPlan? faults = null, int phases = 3) => new()
    {
        Name = name, Kind = DeviceKind.Inverter, UnitId = unit, Endpoint = new IPEndPoint(IPAddress.Loopback, port),
        RatedPowerWatts = 10_000, Phases = phases, SerialNumber = "SIM-INV-0001", Faults = faults ?? FaultPlan.None,
    };

    public static DevicePlan Battery(string name = "battery-1", byte unit = 1, int port = 0, double soc = 50) => new()
    {
        Name = name, Kind = DeviceKind.Battery, UnitId = unit, Endpoint = new IPEndPoint(IPAddress.Loopback, port),
        RatedPowerWatts = 5_000, CapacityWattHours = 10_000, MaxChargeWatts = 5_000, MaxDischargeWatts = 5_000,
        InitialSocPercent = soc, SerialNumber = "SIM-BAT-0001",
    };

    public static SimulationPlan Plan(SiteSettings site, params DevicePlan[] devices)
        => new(site, devices.Select(d => new ListenerPlan(d.Endpoint, [d])).ToList());

    public static SiteSimulation Simulation(FakeTimeProvider time, params DevicePlan[] devices)
        => new(Plan(Site(time.GetUtcNow()), devices), SunSpecModelCatalog.LoadBuiltIn(), time);
}
