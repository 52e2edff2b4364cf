using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Devices.Battery;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Devices;

public sealed class BatteryControlTests
{
    private readonly FakeTimeProvider _time = new(TestPlans.MidsummerNoon);

    [Fact]
    public void Image_serves_the_storage_models()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Battery());
        var device = sim.Devices[0];
        Assert.Equal(new ushort[] { 1, 103, 124, 802, 713 }, device.Layout.Select(m => m.ModelId));
        Assert.Equal(50, device.Value(802, "SoC"));
        Assert.Equal(50, device.Value(124, "ChaState"));
        Assert.Equal(50, device.Value(713, "SoC"));
        Assert.Equal(10_000, device.Value(713, "WHRtg"));
        Assert.Equal(5_000, device.Value(124, "WChaMax"));
        Assert.Equal(0, device.Value(802, "W"));
    }

    [Fact]
    public void Discharge_setpoint_applies_then_reverts_to_idle()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Battery());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];

        // StorCtl_Mod = DISCHARGE, then OutWRte 50.0 % (SF −1), InWRte 0, WinTms 0, RvrtTms 30 s.
        Assert.Null(device.WritePoint(124, "StorCtl_Mod", 2));
        Assert.Null(device.WritePoint(124, "OutWRte", 500, 0, 0, 30));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2_500, device.Value(802, "W")!.Value, 0);
        Assert.Equal(2_500, device.Value(103, "W")!.Value, 0);
        Assert.Equal((long)ChargeStatus.Discharging, device.Raw(124, "ChaSt"));

        _time.Advance(TimeSpan.FromSeconds(30));
        // About 30 s at 2.5 kW: 21 Wh from a 10 kWh pack after 95 % discharge efficiency.
        Assert.Equal(49.8, device.Value(802, "SoC")!.Value, 1);
        Assert.Equal(0, device.Value(802, "W"));
        Assert.Equal(0, device.Raw(124, "StorCtl_Mod"));
        Assert.Equal(0, device.Value(124, "OutWRte"));
        Assert.Equal((long)ChargeStatus.Holding, device.Raw(124, "ChaSt"));
    }

    [Fact]
    public void Charge_setpoint_integrates_soc_with_losses()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Battery());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];
        // StorCtl_Mod = CHARGE; InWRte 40 % of WChaMax 5 kW = 2 kW for one hour → +1.9 kWh stored = +19 % SoC.
        Assert.Null(device.WritePoint(124, "StorCtl_Mod", 1));
        Assert.Null(device.WritePoint(124, "InWRte", 400));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(-2_000, device.Value(802, "W")!.Value, 0);
        Assert.InRange(device.Value(802, "SoC")!.Value, 68.8, 69.2);
        Assert.Equal((long)ChargeStatus.Charging, device.Raw(802, "ChaSt"));
    }

    [Fact]
    public void Discharge_stops_at_the_reserve()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Battery());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];
        Assert.Null(device.WritePoint(124, "MinRsvPct", 450));
        Assert.Null(device.WritePoint(124, "StorCtl_Mod", 2));
        Assert.Null(device.WritePoint(124, "OutWRte", 1000));
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(45, device.Value(802, "SoC")!.Value, 1);
        Assert.Equal(0, device.Value(802, "W"));
        Assert.Equal(0, device.Value(124, "StorAval")!.Value, 1);
    }

    [Fact]
    public void Pv_only_charging_follows_the_site_inverter()
    {
        var night = new FakeTimeProvider(new DateTimeOffset(2026, 6, 21, 23, 0, 0, TimeSpan.Zero));
        using var sim = TestPlans.Simulation(night, TestPlans.Inverter(), TestPlans.Battery(unit: 2));
        sim.Start(TimeSpan.FromSeconds(1));
        var battery = sim.Devices[1];
        Assert.Null(battery.WritePoint(124, "ChaGriSet", 0));
        Assert.Null(battery.WritePoint(124, "StorCtl_Mod", 1));
        Assert.Null(battery.WritePoint(124, "InWRte", 1000));
        night.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, battery.Value(802, "W"));
        Assert.Null(battery.WritePoint(124, "ChaGriSet", 1));
        night.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(-5_000, battery.Value(802, "W")!.Value, 0);
    }

    [Fact]
    public void Out_of_range_commands_are_refused()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Battery());
        var device = sim.Devices[0];
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(124, "StorCtl_Mod", 4));
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(124, "OutWRte", 2000));
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(124, "WChaMax", 9_000));
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(124, "ChaGriSet", 3));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, device.WritePoint(802, "SoC", 1000));
        Assert.Equal(0, device.Raw(124, "StorCtl_Mod"));
    }
}
