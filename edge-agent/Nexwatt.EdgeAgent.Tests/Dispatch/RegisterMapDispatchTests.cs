using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.RegisterMaps;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;
using Result = Nexwatt.Protos.V1.SetpointAck.Types.Result;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>
/// The dispatch engine drives a register-map battery (hardware-sim serving the Huawei map, a separate process) the way
/// it drives a SunSpec 124 battery: signed target applied with the device's own revert timer, read back, re-asserted
/// when the device dropped it, restored at the end; a map without control is refused with its reason.
/// </summary>
public sealed class RegisterMapDispatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly RegisterMap Huawei = AgentRegisterMaps.Load(null).Find("huawei-sun2000")!;

    [Fact]
    public async Task A_Huawei_map_battery_is_applied_reasserted_and_restored_through_its_forcible_registers()
    {
        await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve-map", "--map", "huawei-sun2000", "--port", "0", "--rating", "5000"]);
        var ready = await sim.WaitForLineAsync(l => l.StartsWith("READY map=huawei-sun2000", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var endpoint = ready[(ready.IndexOf("endpoint=", StringComparison.Ordinal) + "endpoint=".Length)..].Split(':');
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = endpoint[0], Port = int.Parse(endpoint[1]), ResponseTimeout = TimeSpan.FromSeconds(5) });
        var registry = new DeviceControlRegistry();
        var options = new DispatchOptions { RevertTimeout = TimeSpan.FromSeconds(90), ReassertInterval = TimeSpan.FromSeconds(2), MeasureSettleTime = TimeSpan.FromSeconds(5) };
        registry.RegisterController("battery", new RegisterMapController(link, 1, Huawei, options, TimeProvider.System));
        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var devices = new RoutingSiteDevices(registry, new SunSpecSiteDevices(registry, options, TimeProvider.System));
        var engine = new DispatchEngine(new SetpointVerifier(collector.Pinned(), "site-1", options.ClockSkewTolerance), devices, options, "site-1", TimeProvider.System, NullLogger.Instance);
        var acks = new List<SetpointAck>();
        async Task<SetpointAck> Send(Setpoint setpoint)
        {
            var before = acks.Count;
            await engine.HandleAsync(collector.Signed(setpoint), acks.Add, CancellationToken.None);
            return Assert.Single(acks.Skip(before));
        }
        async Task<double> Register(string point) =>
            (await RegisterMapReader.ReadAsync(link, Huawei, 1, [Huawei.Get(point)], CancellationToken.None)).Single().Value.AsNumber!.Value;
        async Task<double> BatteryWatts() =>
            (await RegisterMapReader.ReadAsync(link, Huawei, 1, [Huawei.Get("battery_power")], CancellationToken.None)).Single().CanonicalValue!.Value;

        Assert.StartsWith("exceeds rating", Assert.Single((await Send(collector.Setpoint("sp-big", targets: [Watts("battery", 9000)]))).Targets).Reason);
        Assert.Equal(0, await Register("forcible_command")); // the refused target wrote nothing

        var discharge = await Send(collector.Setpoint("sp-discharge", targets: [Watts("battery", 2000)]));
        Assert.Equal(Result.Applied, discharge.Result);
        var target = Assert.Single(discharge.Targets);
        Assert.Equal(2000, target.CommandedW, 0.5);
        Assert.InRange(target.MeasuredW, 1900, 2100); // the simulated battery obeys its forcible discharge registers
        Assert.Equal(2, await Register("forcible_command"));
        Assert.Equal(2000, await Register("forcible_discharge_power"));
        Assert.Equal(2, await Register("forcible_period")); // 90 s of revert, rounded up to the device's minutes

        // The device dropped the command (as after its period): the engine's re-assertion writes it again.
        await link.WriteMultipleRegistersAsync(1, Huawei.Get("forcible_command").Address, new ushort[] { 0 });
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await BatteryWatts()) <= 50, Patience), "the battery did not stop");
        await Task.Delay(options.EffectiveReassertInterval + TimeSpan.FromMilliseconds(200));
        await engine.RunDueAsync(CancellationToken.None);
        Assert.Equal(2, await Register("forcible_command"));
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await BatteryWatts() - 2000) <= 50, Patience), "re-assertion did not take");

        // A charge reads back negative in our convention, positive in Huawei's own register.
        var charge = await Send(collector.Setpoint("sp-charge", targets: [Watts("battery", -1500)]));
        Assert.Equal(Result.Applied, charge.Result);
        Assert.InRange(Assert.Single(charge.Targets).MeasuredW, -1550, -1450);
        Assert.Equal(1, await Register("forcible_command"));
        Assert.Equal(1, await Register("charge_from_grid")); // a forcible charge may take power from the grid
        Assert.InRange((await RegisterMapReader.ReadAsync(link, Huawei, 1, [Huawei.Get("battery_power")], CancellationToken.None)).Single().Value.Number, 1450, 1550);

        // The end of the window restores: forcible mode off, the power registers back to what they held before.
        Assert.Equal(Result.Applied, (await Send(collector.Setpoint("sp-stop", issued: DateTimeOffset.UtcNow))).Result);
        Assert.Equal(0, await Register("forcible_command"));
        Assert.Equal(0, await Register("forcible_discharge_power"));
        Assert.Equal(0, await Register("forcible_charge_power"));
        Assert.Equal(0, await Register("charge_from_grid")); // back as it was found
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await BatteryWatts()) <= 50, Patience), "the battery did not return to idle");
    }

    [Theory]
    [InlineData("solaredge-storedge")]
    [InlineData("sma-sunny-boy-storage")]
    [InlineData("victron-gx")]
    [InlineData("fronius-gen24")]
    public async Task Every_shipped_battery_map_discharges_charges_and_stops_its_simulated_battery(string name)
    {
        var map = AgentRegisterMaps.Load(null).Find(name)!;
        await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve-map", "--map", name, "--port", "0", "--rating", "3000"]);
        var ready = await sim.WaitForLineAsync(l => l.StartsWith("READY map=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var endpoint = ready[(ready.IndexOf("endpoint=", StringComparison.Ordinal) + "endpoint=".Length)..].Split(':');
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = endpoint[0], Port = int.Parse(endpoint[1]), ResponseTimeout = TimeSpan.FromSeconds(5) });
        var controller = new RegisterMapController(link, map.Defaults.UnitId, map, new DispatchOptions { MeasureSettleTime = TimeSpan.FromSeconds(5) }, TimeProvider.System);

        var state = await controller.ReadStateAsync("b", CancellationToken.None);
        Assert.True(state!.HasStorageControls);
        Assert.Equal(50, state.StateOfChargePercent!.Value, 0);
        foreach (var watts in new[] { 1200.0, -900.0 })
        {
            var applied = await controller.ApplyAsync(PlannedTarget.Power("b", watts), TimeSpan.FromSeconds(60), measure: true, CancellationToken.None);
            Assert.True(applied.Result == Result.Applied, applied.Reason);
            Assert.Equal(watts, applied.CommandedW, 0.5);
            Assert.InRange(applied.MeasuredW, watts - 60, watts + 60); // the battery obeys, in our sign convention
        }
        await controller.RestoreAsync(PlannedTarget.Power("b", 0), CancellationToken.None);
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () =>
            Math.Abs((await RegisterMapReader.ReadAsync(link, map, map.Defaults.UnitId, [map.Get(map.Control!.MeasuredPowerPoint)], CancellationToken.None)).Single().CanonicalValue!.Value) <= 50,
            Patience), "the battery did not stop after restore");
    }

    /// <summary>
    /// A GEN24 is forced by a rate limit below zero (as evcc's template charges it), not by a positive limit in the
    /// same direction, which would only cap what surplus PV may charge: the registers say which one was written.
    /// </summary>
    [Fact]
    public async Task A_Fronius_battery_is_forced_by_a_limit_below_zero_in_the_other_direction_and_restored()
    {
        var map = AgentRegisterMaps.Load(null).Find("fronius-gen24")!;
        await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve-map", "--map", "fronius-gen24", "--port", "0", "--rating", "3000"]);
        var ready = await sim.WaitForLineAsync(l => l.StartsWith("READY map=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var endpoint = ready[(ready.IndexOf("endpoint=", StringComparison.Ordinal) + "endpoint=".Length)..].Split(':');
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = endpoint[0], Port = int.Parse(endpoint[1]), ResponseTimeout = TimeSpan.FromSeconds(5) });
        var controller = new RegisterMapController(link, 1, map, new DispatchOptions { MeasureSettleTime = TimeSpan.FromSeconds(5) }, TimeProvider.System);
        async Task<double> Register(string point) =>
            (await RegisterMapReader.ReadAsync(link, map, 1, [map.Get(point)], CancellationToken.None)).Single().Value.AsNumber!.Value;

        Assert.Equal(Result.Applied, (await controller.ApplyAsync(PlannedTarget.Power("b", -900), TimeSpan.FromSeconds(60), measure: true, CancellationToken.None)).Result);
        Assert.Equal(2, await Register("stor_ctl_mod")); // the discharge limit...
        Assert.Equal(-30, await Register("out_w_rte"), 6); // ...at minus 900 W of the 3000 W rating
        Assert.Equal(1, await Register("cha_gri_set"));
        Assert.Equal(60, await Register("in_out_w_rte_rvrt_tms"));

        Assert.Equal(Result.Applied, (await controller.ApplyAsync(PlannedTarget.Power("b", 1200), TimeSpan.FromSeconds(60), measure: true, CancellationToken.None)).Result);
        Assert.Equal(1, await Register("stor_ctl_mod"));
        Assert.Equal(-40, await Register("in_w_rte"), 6);

        await controller.RestoreAsync(PlannedTarget.Power("b", 0), CancellationToken.None);
        Assert.Equal(0, await Register("stor_ctl_mod"));
        Assert.Equal(0, await Register("cha_gri_set")); // grid charging back as it was found
        Assert.Equal(0, await Register("out_w_rte"), 6);
        Assert.Equal(0, await Register("in_w_rte"), 6);
    }

    [Fact]
    public async Task A_map_without_control_is_rejected_with_its_reason_and_nothing_is_written()
    {
        var meter = AgentRegisterMaps.Load(null).Find("eastron-sdm630")!;
        var client = new RecordingClient();
        var registry = new DeviceControlRegistry();
        var options = new DispatchOptions();
        registry.RegisterController("meter", new RegisterMapController(client, 1, meter, options, TimeProvider.System));
        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var engine = new DispatchEngine(new SetpointVerifier(collector.Pinned(), "site-1", options.ClockSkewTolerance),
            new RoutingSiteDevices(registry, new SunSpecSiteDevices(registry, options, TimeProvider.System)), options, "site-1", TimeProvider.System, NullLogger.Instance);
        var acks = new List<SetpointAck>();

        await engine.HandleAsync(collector.Signed(collector.Setpoint("sp-1", targets: [Watts("meter", 1000)])), acks.Add, CancellationToken.None);

        var ack = Assert.Single(acks);
        Assert.Equal(Result.Rejected, ack.Result);
        Assert.Equal("register map eastron-sdm630 has no control section: the device is read only", Assert.Single(ack.Targets).Reason);
        Assert.Equal(0, client.Requests);
    }

    /// <summary>Counts every request; a read-only map's controller must not send any.</summary>
    private sealed class RecordingClient : Nexwatt.Protocols.Modbus.IModbusClient
    {
        public int Requests { get; private set; }
        private ValueTask<T> Count<T>(T value) { Requests++; return ValueTask.FromResult(value); }
        public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte u, ushort a, ushort c, CancellationToken t = default) => Count(new ushort[c]);
        public ValueTask<ushort[]> ReadInputRegistersAsync(byte u, ushort a, ushort c, CancellationToken t = default) => Count(new ushort[c]);
        public ValueTask<bool[]> ReadCoilsAsync(byte u, ushort a, ushort c, CancellationToken t = default) => Count(new bool[c]);
        public ValueTask<bool[]> ReadDiscreteInputsAsync(byte u, ushort a, ushort c, CancellationToken t = default) => Count(new bool[c]);
        public ValueTask WriteSingleCoilAsync(byte u, ushort a, bool v, CancellationToken t = default) { Requests++; return ValueTask.CompletedTask; }
        public ValueTask WriteSingleRegisterAsync(byte u, ushort a, ushort v, CancellationToken t = default) { Requests++; return ValueTask.CompletedTask; }
        public ValueTask WriteMultipleCoilsAsync(byte u, ushort a, ReadOnlyMemory<bool> v, CancellationToken t = default) { Requests++; return ValueTask.CompletedTask; }
        public ValueTask WriteMultipleRegistersAsync(byte u, ushort a, ReadOnlyMemory<ushort> v, CancellationToken t = default) { Requests++; return ValueTask.CompletedTask; }
    }
}
