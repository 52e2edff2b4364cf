using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>
/// Independent peers from Debian's packages: mbpoll (libmodbus) and pymodbus 3.0 against our server, and our client
/// against a pymodbus server. A peer that cannot start fails the test with its log.
/// </summary>
public sealed class InteropTests
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(30);

    private static string Peer(string name) => Path.Combine(AppContext.BaseDirectory, "peers", name);

    private static async Task<string> RunMbpollAsync(int port, params string[] arguments)
    {
        await using var mbpoll = PeerProcess.Start("mbpoll", ["-m", "tcp", "-p", port.ToString(), "-1", "-o", "5", .. arguments]);
        var exit = await mbpoll.WaitForExitAsync(PeerTimeout);
        Assert.True(exit == 0, $"mbpoll {string.Join(' ', arguments)} exited with {exit}. Its log:\n{mbpoll.Log}");
        return mbpoll.Log;
    }

    [Fact]
    public async Task Mbpoll_ReadsAndWritesOurServer()
    {
        await using var server = new LoopbackServer();
        server.Bank.SetRegisters(1, ModbusTable.HoldingRegisters, 0, 10, 20, 30);
        server.Bank.SetRegisters(1, ModbusTable.InputRegisters, 99, 999);

        // -r is 1-based: reference 1 is address 0.
        var read = await RunMbpollAsync(server.Port, "-a", "1", "-r", "1", "-c", "3", "-t", "4", "127.0.0.1");
        Assert.Contains("[1]: \t10", read);
        Assert.Contains("[2]: \t20", read);
        Assert.Contains("[3]: \t30", read);

        var input = await RunMbpollAsync(server.Port, "-a", "1", "-r", "100", "-c", "1", "-t", "3", "127.0.0.1");
        Assert.Contains("[100]: \t999", input);

        await RunMbpollAsync(server.Port, "-a", "1", "-r", "5", "-t", "4", "127.0.0.1", "1234");
        Assert.Equal(1234, server.Bank.GetRegisters(1, ModbusTable.HoldingRegisters, 4, 1)[0]);

        await RunMbpollAsync(server.Port, "-a", "1", "-r", "11", "-t", "4", "127.0.0.1", "7", "8", "9");
        Assert.Equal(new ushort[] { 7, 8, 9 }, server.Bank.GetRegisters(1, ModbusTable.HoldingRegisters, 10, 3));
    }

    [Fact]
    public async Task PymodbusClient_TalksToOurServer()
    {
        await using var server = new LoopbackServer();
        server.Bank.SetRegisters(1, ModbusTable.HoldingRegisters, 0, 10, 20, 30);
        server.Bank.SetRegisters(1, ModbusTable.InputRegisters, 5, 555);
        await using var client = DebianPython.Start(Peer("pymodbus_client.py"), server.Port.ToString());
        var exit = await client.WaitForExitAsync(PeerTimeout);
        Assert.True(exit == 0 && client.Log.Contains("OK"), $"pymodbus client exited with {exit}. Its log:\n{client.Log}");
        Assert.Equal(4321, server.Bank.GetRegisters(1, ModbusTable.HoldingRegisters, 10, 1)[0]);
        Assert.True(server.Bank.GetBits(1, ModbusTable.Coils, 7, 1)[0]);
    }

    [Fact]
    public async Task OurClient_TalksToPymodbusServer()
    {
        await using var peer = DebianPython.Start(Peer("pymodbus_server.py"));
        var ready = await peer.WaitForLineAsync(line => line.StartsWith("READY ", StringComparison.Ordinal), PeerTimeout);
        var port = int.Parse(ready["READY ".Length..]);
        await using var link = new ModbusLink(new ModbusTcpLinkOptions
        {
            Host = "127.0.0.1", Port = port, MaxInFlight = 4, ResponseTimeout = TimeSpan.FromSeconds(5),
        });

        var holding = await link.ReadHoldingRegistersAsync(1, 0, 300); // split into 125 + 125 + 50
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (ushort)(i * 7)).ToArray(), holding);
        Assert.Equal(new ushort[] { 40010, 40011 }, await link.ReadInputRegistersAsync(2, 10, 2));
        Assert.Equal(new[] { true, false, false, true }, await link.ReadDiscreteInputsAsync(1, 0, 4));

        await link.WriteSingleRegisterAsync(1, 500, 4242);
        await link.WriteMultipleRegistersAsync(1, 501, new ushort[] { 1, 2, 3 });
        Assert.Equal(new ushort[] { 4242, 1, 2, 3 }, await link.ReadHoldingRegistersAsync(1, 500, 4));
        await link.WriteSingleCoilAsync(1, 3, true);
        await link.WriteMultipleCoilsAsync(1, 5, new[] { true, true });
        Assert.Equal(new[] { false, false, false, true, false, true, true }, await link.ReadCoilsAsync(1, 0, 7));
        Assert.Equal(new ushort[] { 9, 8 }, await link.ReadWriteMultipleRegistersAsync(1, 600, 2, 600, new ushort[] { 9, 8 }));

        var outside = await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.ReadHoldingRegistersAsync(1, 2000, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, outside.Code);

        var pipelined = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => link.ReadHoldingRegistersAsync(2, (ushort)i, 1).AsTask()));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (ushort)(i * 7)).ToArray(), pipelined.Select(r => r[0]).ToArray());
        Assert.Equal(1, link.ConnectionsOpened);
    }
}
