using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Devices;

public sealed class InverterControlTests
{
    private readonly FakeTimeProvider _time = new(TestPlans.MidsummerNoon);

    [Fact]
    public void Image_starts_with_SunS_and_serves_the_inverter_models_in_order()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        var device = sim.Devices[0];
        var marker = new ushort[2];
        Assert.Null(device.Read(40000, marker));
        Assert.Equal(new ushort[] { 0x5375, 0x6E53 }, marker);
        Assert.Equal(new ushort[] { 1, 103, 120, 121, 122, 123, 160 }, device.Layout.Select(m => m.ModelId));
        Assert.Equal(40002, device.Layout[0].Address);
        Assert.Equal("Nexwatt", device.ReadModel(1).Read("Mn").Text);
        Assert.Equal(2, device.Raw(160, "N"));
    }

    [Fact]
    public void Single_phase_option_serves_model_101()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter(phases: 1));
        Assert.Contains(sim.Devices[0].Layout, m => m.ModelId == 101);
        Assert.DoesNotContain(sim.Devices[0].Layout, m => m.ModelId == 103);
    }

    [Fact]
    public void Midsummer_noon_output_is_plausible_and_consistent()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(3));
        var device = sim.Devices[0];
        var w = device.Value(103, "W")!.Value;
        Assert.InRange(w, 7_000, 9_500);
        var amps = device.Value(103, "A")!.Value;
        var volts = device.Value(103, "PhVphA")!.Value;
        Assert.InRange(amps * volts, w * 0.95, w * 1.05);
        Assert.InRange(device.Value(103, "Hz")!.Value, 49.9, 50.1);
        Assert.Equal(SunSpecIds.OperatingState.Mppt, device.Raw(103, "St"));
        var modules = device.Value(160, "module[0].DCW")!.Value + device.Value(160, "module[1].DCW")!.Value;
        Assert.InRange(modules, w, w * 1.1);
    }

    [Fact]
    public void Energy_counter_integrates_power()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        var before = sim.Devices[0].Raw(103, "WH");
        var w = sim.Devices[0].Value(103, "W")!.Value;
        _time.Advance(TimeSpan.FromMinutes(30));
        var gained = sim.Devices[0].Raw(103, "WH") - before;
        Assert.InRange(gained, w / 2 * 0.97, w / 2 * 1.03);
        Assert.Equal(sim.Devices[0].Raw(103, "WH"), sim.Devices[0].Raw(122, "ActWh"));
    }

    [Fact]
    public void Night_output_is_zero_and_the_inverter_sleeps()
    {
        var night = new FakeTimeProvider(new DateTimeOffset(2026, 6, 21, 23, 0, 0, TimeSpan.Zero));
        using var sim = TestPlans.Simulation(night, TestPlans.Inverter());
        Assert.Equal(0, sim.Devices[0].Value(103, "W"));
        Assert.Equal(SunSpecIds.OperatingState.Sleeping, sim.Devices[0].Raw(103, "St"));
    }

    [Fact]
    public void Export_limit_applies_then_reverts_when_the_timeout_runs_out()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(2));
        var device = sim.Devices[0];
        var full = device.Value(103, "W")!.Value;

        // WMaxLimPct (SF −1) = 50.0 %, WinTms 0, RvrtTms 60 s, RmpTms 0, WMaxLim_Ena = 1: one write, as masters do.
        Assert.Null(device.WritePoint(123, "WMaxLimPct", 500, 0, 60, 0, 1));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(5_000, device.Value(103, "W")!.Value, 0);
        Assert.Equal(SunSpecIds.OperatingState.Throttled, device.Raw(103, "St"));
        Assert.Equal(1, device.Raw(122, "StActCtl"));
        Assert.InRange(device.Value(122, "WAval")!.Value, full - 100, full + 100);

        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(5_000, device.Value(103, "W")!.Value, 0);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.InRange(device.Value(103, "W")!.Value, full - 100, full + 100);
        Assert.Equal(0, device.Raw(123, "WMaxLim_Ena"));
        Assert.Equal(100, device.Value(123, "WMaxLimPct"));
        Assert.Equal(0, device.Raw(122, "StActCtl"));
    }

    [Fact]
    public void A_new_write_restarts_the_revert_timer_and_no_timeout_holds_forever()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];
        Assert.Null(device.WritePoint(123, "WMaxLimPct", 300, 0, 30, 0, 1));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(device.WritePoint(123, "WMaxLimPct", 300, 0, 30, 0, 1));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(3_000, device.Value(103, "W")!.Value, 0);

        Assert.Null(device.WritePoint(123, "WMaxLimPct_RvrtTms", 0));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, device.Raw(123, "WMaxLim_Ena"));
    }

    [Fact]
    public void Disconnect_stops_output_and_reverts_to_connected()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];
        // Conn_WinTms 0, Conn_RvrtTms 20 s, Conn = 0 (DISCONNECT).
        Assert.Null(device.WritePoint(123, "Conn_WinTms", 0, 20, 0));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, device.Value(103, "W"));
        Assert.Equal(SunSpecIds.OperatingState.Off, device.Raw(103, "St"));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, device.Raw(123, "Conn"));
        Assert.True(device.Value(103, "W") > 1_000);
    }

    [Fact]
    public void Invalid_or_read_only_writes_are_refused_and_change_nothing()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        var device = sim.Devices[0];
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(123, "WMaxLimPct", 1500, 0, 0, 0, 1));
        Assert.Equal(100, device.Value(123, "WMaxLimPct"));
        Assert.Equal(0, device.Raw(123, "WMaxLim_Ena"));
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(123, "Conn", 7));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, device.WritePoint(103, "W", 1));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, device.Write(39000, [1]));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, device.Read(39999, new ushort[2]));
    }

    [Fact]
    public void Lowering_WMax_scales_the_limit()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];
        Assert.Null(device.WritePoint(121, "WMax", 6_000));
        Assert.Null(device.WritePoint(123, "WMaxLimPct", 500, 0, 0, 0, 1));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3_000, device.Value(103, "W")!.Value, 0);
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, device.WritePoint(121, "WMax", 20_000));
    }

    [Fact]
    public void Frozen_values_stop_changing_while_physics_runs_on()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        sim.Start(TimeSpan.FromSeconds(1));
        var device = sim.Devices[0];
        _time.Advance(TimeSpan.FromSeconds(2));
        device.Faults.Plan = new FaultPlan { Frozen = true };
        var frozenWh = device.Raw(103, "WH");
        var frozenW = device.Value(103, "W");
        Assert.Null(device.WritePoint(123, "WMaxLimPct", 100, 0, 0, 0, 1));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(frozenW, device.Value(103, "W"));
        Assert.Equal(frozenWh, device.Raw(103, "WH"));
        Assert.Equal(1, device.Raw(123, "WMaxLim_Ena")); // controls are still accepted

        device.Faults.Plan = FaultPlan.None;
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1_000, device.Value(103, "W")!.Value, 0);
        Assert.True(device.Raw(103, "WH") > frozenWh);
    }
}
