using Nexwatt.HardwareSim.Devices.Battery;
using Nexwatt.HardwareSim.Physics;

namespace Nexwatt.HardwareSim.Tests.Physics;

public sealed class BatteryPackTests
{
    [Fact]
    public void Charging_stores_energy_after_charge_losses()
    {
        var pack = new BatteryPack(10_000, 50);
        var achieved = pack.Run(1_000, 3600, 5, 100);
        Assert.Equal(1_000, achieved, 6);
        Assert.Equal(5_000 + 950, pack.StoredWattHours, 6);
        Assert.Equal(59.5, pack.SocPercent, 6);
    }

    [Fact]
    public void Discharging_drains_more_than_it_delivers()
    {
        var pack = new BatteryPack(10_000, 50);
        var achieved = pack.Run(-1_000, 3600, 5, 100);
        Assert.Equal(-1_000, achieved, 6);
        Assert.Equal(5_000 - 1_000 / 0.95, pack.StoredWattHours, 6);
    }

    [Fact]
    public void Round_trip_efficiency_is_about_90_percent()
    {
        var pack = new BatteryPack(10_000, 50);
        pack.Run(1_000, 3600, 5, 100);
        // Discharge back to the starting SoC: the floor stops it exactly there.
        pack.Run(-1_000, 3600, 50, 100);
        Assert.Equal(50, pack.SocPercent, 6);
        Assert.Equal(0.9025, pack.DischargedWattHours / pack.ChargedWattHours, 3);
    }

    [Fact]
    public void Charge_stops_at_the_maximum_and_discharge_at_the_floor()
    {
        var pack = new BatteryPack(10_000, 98);
        var achieved = pack.Run(5_000, 3600, 5, 100);
        Assert.Equal(100, pack.SocPercent, 6);
        Assert.True(achieved < 5_000);

        var low = new BatteryPack(10_000, 12);
        low.Run(-5_000, 3600, 10, 100);
        Assert.Equal(10, low.SocPercent, 6);
    }

    [Fact]
    public void Battery_physics_honours_the_reserve_and_power_ratings()
    {
        var physics = new BatteryPhysics(10_000, 5_000, 4_000, initialSocPercent: 40);
        var controls = new BatteryControls(5_000) { ReservePercent = 30 };
        controls.Command.Set(new BatteryCommand(false, true, 0, 100), TimeSpan.Zero, DateTimeOffset.UnixEpoch);

        physics.Step(1, controls, 0);
        Assert.Equal(-4_000, physics.TerminalWatts, 6); // 100 % of WChaMax asked, discharge rating caps it
        Assert.Equal(ChargeStatus.Discharging, physics.Status);

        for (var i = 0; i < 3600; i++) physics.Step(5, controls, 0);
        Assert.Equal(30, physics.Pack.SocPercent, 3);
        Assert.Equal(0, physics.TerminalWatts, 6);
        Assert.Equal(ChargeStatus.Holding, physics.Status);
    }

    [Fact]
    public void Pv_only_charging_is_limited_to_the_site_pv()
    {
        var physics = new BatteryPhysics(10_000, 5_000, 5_000, 50);
        var controls = new BatteryControls(5_000) { GridChargingAllowed = false };
        controls.Command.Set(new BatteryCommand(true, false, 100, 0), TimeSpan.Zero, DateTimeOffset.UnixEpoch);
        physics.Step(1, controls, pvWatts: 1_200);
        Assert.Equal(1_200, physics.TerminalWatts, 6);
        physics.Step(1, controls, pvWatts: 0);
        Assert.Equal(0, physics.TerminalWatts, 6);
    }
}
