using System.Net.Sockets;
using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Hosting;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Tests.Integration;

/// <summary>The simulator in process on 127.0.0.1:0, read by the Modbus library's client and by raw bytes.</summary>
public sealed class LoopbackTests
{
    private static readonly SunSpecModelCatalog Catalog = SunSpecModelCatalog.LoadBuiltIn();

    private static async Task<RunningSimulation> Start(params Site.DevicePlan[] devices)
    {
        var host = new SimulatorHost(TestPlans.Plan(TestPlans.Site(), devices), Catalog, TimeProvider.System, TextWriter.Null, TextWriter.Null);
        return await host.StartAsync() ?? throw new InvalidOperationException("The simulator did not start.");
    }

    private static ModbusLink Link(RunningSimulation running, int listener = 0)
        => new(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = running.Listeners[listener].Endpoint.Port, ResponseTimeout = TimeSpan.FromSeconds(5) });

    [Fact]
    public async Task Client_reads_the_SunS_marker_and_the_common_model()
    {
        await using var running = await Start(TestPlans.Inverter(), TestPlans.Battery());
        await using var link = Link(running);

        var marker = await link.ReadHoldingRegistersAsync(1, 40000, 2);
        Assert.Equal(new ushort[] { 0x5375, 0x6E53 }, marker);
        var header = await link.ReadHoldingRegistersAsync(1, 40002, 2);
        Assert.Equal(new ushort[] { 1, 66 }, header);
        var registers = await link.ReadHoldingRegistersAsync(1, 40002, 68);
        var common = SunSpecCommonModel.FromBlock(SunSpecModelBlock.FromRegisters(Catalog.Get(1), registers));
        Assert.Equal("Nexwatt", common.Manufacturer);
        Assert.Equal("SIM-INV-0001", common.SerialNumber);
        Assert.Equal((ushort)1, common.DeviceAddress);

        await using var batteryLink = Link(running, 1);
        var batteryCommon = SunSpecCommonModel.FromBlock(SunSpecModelBlock.FromRegisters(Catalog.Get(1), await batteryLink.ReadHoldingRegistersAsync(1, 40002, 68)));
        Assert.Equal("SIM-BAT", batteryCommon.Model);
    }

    [Fact]
    public async Task Raw_request_bytes_get_the_spec_response()
    {
        await using var running = await Start(TestPlans.Inverter());
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(running.Listeners[0].Endpoint);
        // MBAP: transaction 0x0001, protocol 0, length 6, unit 1; PDU: read holding 0x9C40 (40000) × 2.
        await socket.SendAsync(Convert.FromHexString("00010000000601039C400002"));
        var buffer = new byte[64];
        var received = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (received < 13) received += await socket.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
        Assert.Equal("00010000000701030453756E53", Convert.ToHexString(buffer, 0, received));
    }

    [Fact]
    public async Task Control_written_over_Modbus_is_obeyed_and_a_read_only_write_is_refused()
    {
        await using var running = await Start(TestPlans.Inverter());
        await using var link = Link(running);
        var device = running.Simulation.Devices[0];
        var controls = device.Layout.Single(m => m.ModelId == SunSpecIds.Controls).Address;
        // WMaxLimPct = 25.0 %, WinTms 0, RvrtTms 0, RmpTms 0, WMaxLim_Ena = 1 (offsets 5..9 of model 123).
        await link.WriteMultipleRegistersAsync(1, (ushort)(controls + 5), new ushort[] { 250, 0, 0, 0, 1 });
        Assert.Equal(new ushort[] { 250, 0, 0, 0, 1 }, await link.ReadHoldingRegistersAsync(1, (ushort)(controls + 5), 5));
        running.Simulation.Tick();
        var inverter = device.Layout.Single(m => m.ModelId == SunSpecIds.InverterThreePhase).Address;
        var w = await link.ReadHoldingRegistersAsync(1, (ushort)(inverter + 14), 1);
        Assert.Equal((ushort)2500, w[0]);

        var refused = await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.WriteSingleRegisterAsync(1, (ushort)(inverter + 14), 1));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, refused.Code);
        var invalid = await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.WriteSingleRegisterAsync(1, (ushort)(controls + 5), 2000));
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, invalid.Code);
    }

    [Fact]
    public async Task Several_units_share_one_port()
    {
        var inverter = TestPlans.Inverter(unit: 1);
        var battery = TestPlans.Battery(unit: 2);
        var plan = new Site.SimulationPlan(TestPlans.Site(), [new Site.ListenerPlan(inverter.Endpoint, [inverter, battery])]);
        var host = new SimulatorHost(plan, Catalog, TimeProvider.System, TextWriter.Null, TextWriter.Null);
        await using var running = (await host.StartAsync())!;
        await using var link = Link(running);
        Assert.Equal((ushort)103, (await link.ReadHoldingRegistersAsync(1, 40070, 1))[0]);
        Assert.Equal((ushort)103, (await link.ReadHoldingRegistersAsync(2, 40070, 1))[0]);
        var batteryModels = running.Simulation.Devices[1].Layout;
        Assert.Equal((ushort)124, (await link.ReadHoldingRegistersAsync(2, batteryModels[2].Address, 1))[0]);
    }

    [Fact]
    public async Task Injected_exception_and_dropped_connection_reach_the_client()
    {
        await using var running = await Start(TestPlans.Inverter(faults: new FaultPlan { ExceptionProbability = 1, ExceptionCode = ModbusExceptionCode.ServerDeviceBusy }));
        await using var link = Link(running);
        var busy = await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.ReadHoldingRegistersAsync(1, 40000, 2));
        Assert.Equal(ModbusExceptionCode.ServerDeviceBusy, busy.Code);

        var device = running.Simulation.Devices[0];
        device.Faults.Plan = new FaultPlan { DropEvery = 2 };
        // Request 2 since the change is dropped (the exception above was request 1 of the counter).
        await Assert.ThrowsAnyAsync<ModbusException>(async () => await link.ReadHoldingRegistersAsync(1, 40000, 2));
        device.Faults.Plan = FaultPlan.None;
        var marker = await RetryAsync(() => link.ReadHoldingRegistersAsync(1, 40000, 2).AsTask());
        Assert.Equal((ushort)0x5375, marker[0]);
        Assert.True(device.Faults.Injected >= 2);
    }

    /// <summary>The link reconnects with a backoff after a dropped connection; a few attempts cover it.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await action(); }
            catch (ModbusException) when (attempt < 20) { await Task.Delay(200); }
        }
    }
}
