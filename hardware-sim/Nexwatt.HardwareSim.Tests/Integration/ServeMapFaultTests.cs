using System.Diagnostics;
using System.Net;
using Nexwatt.HardwareSim.Devices.Map;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Hosting;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Integration;

/// <summary>
/// `serve-map` with the fault injection of `serve`: a Huawei-map battery on 127.0.0.1:0 read by the Modbus library's
/// client, one fault kind per test, then the same plan given as a flag to the real process.
/// </summary>
public sealed class ServeMapFaultTests
{
    private const byte Unit = 1;
    private const ushort ModelName = 30000; // huawei-sun2000 identification: model_name, 15 registers

    private static async Task<MapBatteryServer> StartAsync(FaultPlan plan)
    {
        var catalog = RegisterMapCatalog.Empty.LoadFolder(Path.Combine(AppContext.BaseDirectory, "RegisterMaps"), CanonicalPoints.Units);
        var device = new MapBatteryDevice(catalog.Find("huawei-sun2000")!, Unit, 5000, 10000, 50, TimeProvider.System);
        var server = MapBatteryServer.Start(device, new DeviceFaults(plan, seed: 7), new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System);
        return await Task.FromResult(server);
    }

    private static ModbusLink Link(MapBatteryServer server, int timeoutMs = 2000) => new(new ModbusTcpLinkOptions
    {
        Host = "127.0.0.1", Port = server.Endpoint.Port, ResponseTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        ReconnectBackoffMin = TimeSpan.FromMilliseconds(20), ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
    });

    private static Task<ushort[]> ReadModelName(ModbusLink link) => link.ReadHoldingRegistersAsync(Unit, ModelName, 15).AsTask();

    [Fact]
    public async Task Drop_every_closes_the_connection_on_that_request_only()
    {
        await using var server = await StartAsync(new FaultPlan { DropEvery = 2 });
        await using var link = Link(server);
        Assert.Equal(0x5355, (await ReadModelName(link))[0]); // "SU" of SUN2000
        await Assert.ThrowsAsync<ModbusCommunicationException>(() => ReadModelName(link));
        server.Faults.Plan = FaultPlan.None;
        Assert.Equal(0x5355, (await RetryAsync(() => ReadModelName(link)))[0]);
        Assert.Equal(1, server.Faults.Injected);
    }

    [Fact]
    public async Task Slow_delays_each_answer()
    {
        await using var server = await StartAsync(new FaultPlan { SlowMilliseconds = 300 });
        await using var link = Link(server);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0x5355, (await ReadModelName(link))[0]);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Exception_answers_with_the_configured_code()
    {
        await using var server = await StartAsync(new FaultPlan { ExceptionProbability = 1, ExceptionCode = ModbusExceptionCode.IllegalDataAddress });
        await using var link = Link(server);
        var error = await Assert.ThrowsAsync<ModbusRemoteException>(() => ReadModelName(link));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.Code);
    }

    [Fact]
    public async Task Garbage_replaces_the_answer_and_the_next_clean_one_reads_again()
    {
        await using var server = await StartAsync(new FaultPlan { GarbageProbability = 1 });
        await using var link = Link(server, timeoutMs: 500);
        // Random bytes instead of an MBAP frame: a short read times out, a bad header breaks the connection.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ReadModelName(link));
        Assert.True(error is ModbusException or TimeoutException, error.ToString());
        server.Faults.Plan = FaultPlan.None;
        Assert.Equal(0x5355, (await RetryAsync(() => ReadModelName(link)))[0]);
    }

    [Fact]
    public async Task Corrupt_flips_the_function_code_which_the_client_refuses()
    {
        await using var server = await StartAsync(new FaultPlan { CorruptProbability = 1 });
        await using var link = Link(server);
        await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadModelName(link));
    }

    [Fact]
    public async Task Freeze_holds_the_measured_registers_while_the_battery_obeys_its_command()
    {
        await using var server = await StartAsync(new FaultPlan { Frozen = true });
        await using var link = Link(server);
        // A Huawei forcible discharge at 2000 W for 10 minutes (power, period, mode, then the command that starts it).
        await link.WriteMultipleRegistersAsync(Unit, 47249, new ushort[] { 0, 2000 });
        await link.WriteSingleRegisterAsync(Unit, 47083, 10);
        await link.WriteSingleRegisterAsync(Unit, 47246, 0);
        await link.WriteSingleRegisterAsync(Unit, 47100, 2);
        async Task<int> BatteryPower() { var r = await link.ReadHoldingRegistersAsync(Unit, 37765, 2); return (r[0] << 16) | r[1]; }
        server.Step(TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow);
        Assert.Equal(0, await BatteryPower());
        Assert.Equal(2000, server.Device.DischargeWatts, 0); // physics runs on
        server.Faults.Plan = FaultPlan.None;
        server.Step(TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow);
        Assert.Equal(-2000, await BatteryPower()); // published again, in Huawei's sign (charging positive)
    }

    [Fact]
    public async Task The_fault_flag_reaches_the_served_process_and_its_ready_line()
    {
        await using var peer = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve-map", "--map", "huawei-sun2000", "--port", "0", "--fault", "huawei-sun2000:exception=1:2", "--seed", "3"]);
        var ready = await peer.WaitForLineAsync(l => l.StartsWith("READY map=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("faults=exception=1:2 endpoint=", ready);
        var port = int.Parse(ready[(ready.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = port });
        var error = await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.ReadHoldingRegistersAsync(Unit, ModelName, 15));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.Code);
        await peer.WaitForLineAsync(l => l.StartsWith("STATUS ", StringComparison.Ordinal) && l.Contains("faults=exception=1:2 injected=1/1"), TimeSpan.FromSeconds(10));
    }

    /// <summary>The link reconnects with a backoff after a dropped or broken connection; a few attempts cover it.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await action(); }
            catch (Exception ex) when (ex is ModbusException or TimeoutException && attempt < 20) { await Task.Delay(100); }
        }
    }
}
