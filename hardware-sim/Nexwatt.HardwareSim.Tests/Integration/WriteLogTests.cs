using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Hosting;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Tests.Integration;

/// <summary>The WRITE log: the edge agent's dispatch tests count its lines to prove that a bad setpoint wrote nothing.</summary>
public sealed class WriteLogTests
{
    [Fact]
    public async Task Each_accepted_write_prints_one_line_and_reads_or_refused_writes_print_none()
    {
        var output = new StringWriter();
        var host = new SimulatorHost(TestPlans.Plan(TestPlans.Site(), TestPlans.Battery()), SunSpecModelCatalog.LoadBuiltIn(),
            TimeProvider.System, TextWriter.Synchronized(output), TextWriter.Null);
        await using var running = await host.StartAsync(writeLog: true) ?? throw new InvalidOperationException("The simulator did not start.");
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = running.Listeners[0].Endpoint.Port, ResponseTimeout = TimeSpan.FromSeconds(5) });
        var storage = running.Listeners[0].Devices[0].Device.Layout.Single(m => m.ModelId == SunSpecIds.Storage).Address;

        await link.ReadHoldingRegistersAsync(1, storage, 26);
        // OutWRte, InWRte, InOutWRte_WinTms, InOutWRte_RvrtTms: one accepted write of four registers.
        await link.WriteMultipleRegistersAsync(1, (ushort)(storage + 12), new ushort[] { 200, 0, 0, 30 });
        // ChaState is read-only: refused, so not logged.
        await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.WriteSingleRegisterAsync(1, (ushort)(storage + 8), 1));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal([$"WRITE battery-1 address={storage + 12} count=4"], lines);
    }

    [Fact]
    public async Task Without_the_write_log_nothing_is_printed()
    {
        var output = new StringWriter();
        var host = new SimulatorHost(TestPlans.Plan(TestPlans.Site(), TestPlans.Battery()), SunSpecModelCatalog.LoadBuiltIn(),
            TimeProvider.System, TextWriter.Synchronized(output), TextWriter.Null);
        await using var running = await host.StartAsync() ?? throw new InvalidOperationException("The simulator did not start.");
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = running.Listeners[0].Endpoint.Port, ResponseTimeout = TimeSpan.FromSeconds(5) });
        var storage = running.Listeners[0].Devices[0].Device.Layout.Single(m => m.ModelId == SunSpecIds.Storage).Address;

        await link.WriteMultipleRegistersAsync(1, (ushort)(storage + 12), new ushort[] { 200, 0, 0, 30 });

        Assert.Equal("", output.ToString());
    }
}
