using System.CommandLine;
using Nexwatt.HardwareSim.Cli;
using Nexwatt.HardwareSim.Site;

namespace Nexwatt.HardwareSim.Tests.Cli;

public sealed class PlannerTests
{
    private static SimulationPlan Bind(params string[] args)
    {
        var options = new ServeOptions();
        var serve = new Command("serve");
        foreach (var option in options.All) serve.Options.Add(option);
        var parse = serve.Parse(args);
        Assert.Empty(parse.Errors);
        var errors = new List<string>();
        var plan = ServePlanBinder.Bind(parse, options, errors);
        Assert.True(plan is not null, string.Join("\n", errors));
        return plan!;
    }

    [Fact]
    public void Devices_listen_on_loopback_unless_an_address_is_given()
    {
        Assert.All(Bind("--inverter", "--battery", "5021").Listeners, l => Assert.Equal("127.0.0.1", l.Endpoint.Address.ToString()));
        foreach (var flag in new[] { "--bind", "--host", "--listen" })
            Assert.Equal("0.0.0.0", Assert.Single(Bind("--inverter", flag, "0.0.0.0").Listeners).Endpoint.Address.ToString());
        // A device that names its own address keeps it.
        Assert.Equal("127.0.0.2", Assert.Single(Bind("--device", "battery@127.0.0.2:5020", "--bind", "0.0.0.0").Listeners).Endpoint.Address.ToString());
    }

    [Fact]
    public void Devices_on_one_port_share_a_listener_with_distinct_units()
    {
        var plan = Bind("--device", "inverter@127.0.0.1:5020", "--device", "battery@127.0.0.1:5020", "--device", "inverter:roof@127.0.0.1:5020/1");
        var listener = Assert.Single(plan.Listeners);
        Assert.Equal(5020, listener.Endpoint.Port);
        Assert.Equal(new byte[] { 2, 3, 1 }, listener.Devices.Select(d => d.UnitId));
        Assert.Equal(new[] { "inverter-1", "battery-1", "roof" }, listener.Devices.Select(d => d.Name));
    }

    [Fact]
    public void Explicit_port_zero_gets_a_listener_each_and_the_default_port_is_shared()
    {
        var own = Bind("--inverter", "0", "--battery", "0");
        Assert.Equal(2, own.Listeners.Count);
        Assert.All(own.Devices, d => Assert.Equal(1, d.UnitId));

        var shared = Bind("--inverter", "--battery", "--port", "0", "--host", "127.0.0.1");
        var listener = Assert.Single(shared.Listeners);
        Assert.Equal("127.0.0.1:0", listener.Endpoint.ToString());
        Assert.Equal(new byte[] { 1, 2 }, listener.Devices.Select(d => d.UnitId));
    }

    [Fact]
    public void Flags_set_site_options_and_faults()
    {
        var plan = Bind("--inverter", "5020", "--battery", "5021", "--single-phase", "--latitude", "40.5", "--longitude", "-3.7",
            "--clock-speed", "60", "--seed", "9", "--start-time", "2026-06-21T06:00", "--timezone", "Europe/Madrid",
            "--fault", "drop-every=10", "--fault", "battery-1:freeze");
        Assert.Equal(40.5, plan.Site.LatitudeDegrees);
        Assert.Equal(-3.7, plan.Site.LongitudeDegrees);
        Assert.Equal(60, plan.Site.ClockSpeed);
        Assert.Equal(9, plan.Site.Seed);
        Assert.Equal(new DateTimeOffset(2026, 6, 21, 6, 0, 0, TimeSpan.FromHours(2)), plan.Site.StartTime);
        var inverter = plan.Devices.Single(d => d.Kind == DeviceKind.Inverter);
        Assert.Equal(1, inverter.Phases);
        Assert.Equal(10, inverter.Faults.DropEvery);
        var battery = plan.Devices.Single(d => d.Kind == DeviceKind.Battery);
        Assert.True(battery.Faults.Frozen);
        Assert.Equal(0, battery.Faults.DropEvery);
    }

    [Fact]
    public void Site_file_is_loaded_and_flags_override_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nx-site-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              // comments are allowed
              "latitude": 48.1, "longitude": 11.6, "timeZone": "Europe/Berlin", "clockSpeed": 10, "seed": 3,
              "host": "127.0.0.1",
              "devices": [
                { "type": "inverter", "name": "roof", "port": 0, "ratedPowerW": 8000, "phases": 1, "faults": "slow=100" },
                { "type": "battery", "name": "garage", "port": 0, "capacityWh": 13500, "maxChargeW": 5000, "maxDischargeW": 4600, "initialSocPct": 80 },
              ]
            }
            """);
        try
        {
            var plan = Bind("--site", path, "--clock-speed", "100");
            Assert.Equal(48.1, plan.Site.LatitudeDegrees);
            Assert.Equal(100, plan.Site.ClockSpeed);
            var roof = plan.Devices.Single(d => d.Name == "roof");
            Assert.Equal(8000, roof.RatedPowerWatts);
            Assert.Equal(1, roof.Phases);
            Assert.Equal(100, roof.Faults.SlowMilliseconds);
            Assert.Equal("127.0.0.1", roof.Endpoint.Address.ToString());
            var garage = plan.Devices.Single(d => d.Name == "garage");
            Assert.Equal(13500, garage.CapacityWattHours);
            Assert.Equal(4600, garage.MaxDischargeWatts);
            Assert.Equal(80, garage.InitialSocPercent);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
