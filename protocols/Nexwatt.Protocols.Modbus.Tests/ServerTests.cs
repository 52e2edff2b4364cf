using System.Net;
using System.Net.Sockets;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>ModbusTcpServer on loopback: many clients, every reply kind, pipelined requests, clean stop.</summary>
public sealed class ServerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    /// <summary>For links on the real clock in tests that are not about timeouts: no answer on a loaded machine is that late.</summary>
    private static readonly TimeSpan SlowMachine = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ManyClients_AreServedConcurrently()
    {
        var bank = new ModbusRegisterBank().AddUnit(1);
        await using var server = new LoopbackServer(bank: bank);
        var links = Enumerable.Range(0, 20)
            .Select(_ => new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = server.Port, MaxInFlight = 2, ResponseTimeout = SlowMachine })).ToArray();
        try
        {
            await Task.WhenAll(links.Select(async (link, i) =>
            {
                for (var n = 0; n < 50; n++)
                {
                    await link.WriteSingleRegisterAsync(1, (ushort)i, (ushort)n);
                    Assert.Equal(n, (await link.ReadHoldingRegistersAsync(1, (ushort)i, 1))[0]);
                }
            })).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(20, server.Server.ConnectionCount);
        }
        finally
        {
            foreach (var link in links) await link.DisposeAsync();
        }
    }

    [Fact]
    public async Task PipelinedRequestsFromOneClient_AreAllAnsweredInOrder()
    {
        await using var server = new LoopbackServer();
        server.Bank.SetRegisters(1, ModbusTable.HoldingRegisters, 0, 10, 20, 30);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        // Three requests in one segment.
        await socket.SendAsync(Hex.Bytes("0007 0000 0006 01 03 0000 0001" + "0008 0000 0006 01 03 0001 0001" + "0009 0000 0006 01 03 0002 0001"), SocketFlags.None);
        var expected = Hex.Bytes("0007 0000 0005 01 03 02 000A" + "0008 0000 0005 01 03 02 0014" + "0009 0000 0005 01 03 02 001E");
        Assert.Equal(Hex.Of(expected), Hex.Of(await ReceiveExactlyAsync(socket, expected.Length)));
    }

    [Fact]
    public async Task EveryReplyKind_IsHonoured()
    {
        var clock = new FakeTimeProvider();
        var silentReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new LambdaHandler((unit, pdu, ct) =>
        {
            if (unit == 3) silentReceived.TrySetResult();
            return ValueTask.FromResult(unit switch
            {
                1 => ModbusServerReply.Respond(Hex.Bytes("03 02 002A")),
                2 => ModbusServerReply.Fail(ModbusExceptionCode.ServerDeviceBusy),
                3 => ModbusServerReply.None,
                4 => ModbusServerReply.Close,
                _ => ModbusServerReply.Raw(Hex.Bytes("DEAD BEEF 0000 0000")),
            });
        });
        await using var server = new LoopbackServer(handler);
        await using var link = new ModbusLink(new ModbusTcpLinkOptions
        {
            Host = "127.0.0.1", Port = server.Port, ResponseTimeout = TimeSpan.FromSeconds(1),
            ReconnectBackoffMin = TimeSpan.FromMilliseconds(1), ReconnectBackoffMax = TimeSpan.FromMilliseconds(1),
        }, timeProvider: clock);

        Assert.Equal(42, (await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard))[0]);
        var busy = await Assert.ThrowsAsync<ModbusRemoteException>(async () => await link.ReadHoldingRegistersAsync(2, 0, 1).AsTask().WaitAsync(Guard));
        Assert.Equal(ModbusExceptionCode.ServerDeviceBusy, busy.Code);

        // Advance only once the request is on the wire (its deadline is set when it takes a slot): advancing earlier
        // moves the clock past nothing, and the request would then wait for a clock that never moves again.
        var silent = link.ReadHoldingRegistersAsync(3, 0, 1).AsTask();
        await silentReceived.Task.WaitAsync(Guard);
        Assert.NotSame(silent, await Task.WhenAny(silent, Task.Delay(100)));
        clock.Advance(TimeSpan.FromSeconds(1));
        // The link's own timeout, not the guard's (both are TimeoutException).
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => silent.WaitAsync(Guard));
        Assert.Contains("did not answer", timeout.Message);

        await Assert.ThrowsAsync<ModbusCommunicationException>(async () => await link.ReadHoldingRegistersAsync(4, 0, 1).AsTask().WaitAsync(Guard));
        clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ModbusProtocolException>(async () => await link.ReadHoldingRegistersAsync(5, 0, 1).AsTask().WaitAsync(Guard));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(42, (await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard))[0]);
        Assert.Equal(3, link.ConnectionsOpened);
    }

    [Fact]
    public async Task MalformedHeader_ClosesThatClient_AndHandlerFailure_IsException4()
    {
        var handler = new LambdaHandler((_, _, _) => throw new InvalidOperationException("boom"));
        await using var server = new LoopbackServer(handler);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        await socket.SendAsync(Hex.Bytes("0001 0000 0006 01 03 0000 0001"), SocketFlags.None);
        Assert.Equal("000100000003018304", Hex.Of(await ReceiveExactlyAsync(socket, 9)));
        await socket.SendAsync(Hex.Bytes("0002 0007 0006 01 03 0000 0001"), SocketFlags.None);
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Guard));
    }

    [Fact]
    public async Task Stop_ClosesClients_AndFreesThePort()
    {
        var server = new LoopbackServer();
        var port = server.Port;
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = SlowMachine });
        await link.ReadHoldingRegistersAsync(1, 0, 1);
        await server.Server.StopAsync().WaitAsync(Guard);
        Assert.Equal(0, server.Server.ConnectionCount);
        await server.DisposeAsync();
        await using var again = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, port), new ModbusDataModelHandler(new ModbusRegisterBank()));
        again.Start();
        Assert.Equal(port, again.Port);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(Guard);
            if (n == 0) throw new EndOfStreamException($"Closed after {read} of {count} bytes.");
            read += n;
        }
        return buffer;
    }
}
