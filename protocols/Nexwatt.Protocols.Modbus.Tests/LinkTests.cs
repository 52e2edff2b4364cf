using System.Buffers.Binary;
using System.Threading.Channels;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>The client link against our server and against a hand-driven peer on loopback.</summary>
public sealed class LinkTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A response timeout far longer than any test step on a loaded machine: a test that is not about timeouts must
    /// never see one. Tests about timeouts set a short one and drive it with a fake clock.
    /// </summary>
    private static ModbusTcpLinkOptions Options(int port, int maxInFlight = 1) => new()
    {
        Host = "127.0.0.1", Port = port, MaxInFlight = maxInFlight,
        ResponseTimeout = TimeSpan.FromSeconds(60), ReconnectBackoffMin = TimeSpan.FromMilliseconds(10), ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
    };

    private static byte[] RegistersPdu(byte function, params ushort[] values)
    {
        var pdu = new byte[2 + values.Length * 2];
        pdu[0] = function;
        pdu[1] = (byte)(values.Length * 2);
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(2 + i * 2), values[i]);
        return pdu;
    }

    [Fact]
    public async Task EveryFunction_RoundTripsThroughOurServer()
    {
        await using var server = new LoopbackServer();
        await using var link = new ModbusLink(Options(server.Port));
        server.Bank.SetRegisters(1, ModbusTable.InputRegisters, 30, 7, 8, 9);
        server.Bank.SetBits(1, ModbusTable.DiscreteInputs, 5, true, false, true);

        await link.WriteSingleRegisterAsync(1, 10, 1234);
        await link.WriteMultipleRegistersAsync(1, 11, new ushort[] { 1, 2, 3 });
        Assert.Equal(new ushort[] { 1234, 1, 2, 3 }, await link.ReadHoldingRegistersAsync(1, 10, 4));
        Assert.Equal(new ushort[] { 7, 8, 9 }, await link.ReadInputRegistersAsync(1, 30, 3));
        await link.WriteSingleCoilAsync(1, 3, true);
        await link.WriteMultipleCoilsAsync(1, 4, new[] { true, false, true });
        Assert.Equal(new[] { false, true, true, false, true }, await link.ReadCoilsAsync(1, 2, 5));
        Assert.Equal(new[] { true, false, true }, await link.ReadDiscreteInputsAsync(1, 5, 3));
        Assert.Equal(new ushort[] { 1234, 5, 6 }, await link.ReadWriteMultipleRegistersAsync(1, 10, 3, 11, new ushort[] { 5, 6 }));
        Assert.Equal(1, link.ConnectionsOpened);
    }

    [Fact]
    public async Task LongReads_AreSplit_AndQuirksShrinkTheChunks()
    {
        var requests = Channel.CreateUnbounded<int>();
        var bank = new ModbusRegisterBank().AddUnit(1).AddUnit(2);
        var inner = new ModbusDataModelHandler(bank);
        var counting = new LambdaHandler((unit, pdu, ct) =>
        {
            requests.Writer.TryWrite(BinaryPrimitives.ReadUInt16BigEndian(pdu.Span[3..]));
            return inner.HandleAsync(unit, pdu, ct);
        });
        await using var server = new LoopbackServer(counting, bank);
        var values = Enumerable.Range(0, 300).Select(i => (ushort)(i * 3)).ToArray();
        bank.SetRegisters(1, ModbusTable.HoldingRegisters, 100, values);
        bank.SetRegisters(2, ModbusTable.HoldingRegisters, 100, values);
        await using var link = new ModbusLink(Options(server.Port, maxInFlight: 4));

        Assert.Equal(values, await link.ReadHoldingRegistersAsync(1, 100, 300));
        Assert.Equal(new[] { 125, 125, 50 }, Drain(requests).Order().Reverse().ToArray());

        link.Configure(2, new ModbusDeviceQuirks { MaxRegistersPerRead = 100, WordOrder = ModbusWordOrder.LowWordFirst });
        Assert.Equal(values, await link.ReadHoldingRegistersAsync(2, 100, 300));
        Assert.Equal(new[] { 100, 100, 100 }, Drain(requests));
        Assert.Equal(ModbusWordOrder.LowWordFirst, link.GetQuirks(2).WordOrder);

        var coils = await link.ReadCoilsAsync(1, 0, 5000);
        Assert.Equal(5000, coils.Length);
        Assert.Equal(new[] { 2000, 2000, 1000 }, Drain(requests));
    }

    private static int[] Drain(Channel<int> channel)
    {
        var list = new List<int>();
        while (channel.Reader.TryRead(out var item)) list.Add(item);
        return list.ToArray();
    }

    [Fact]
    public async Task WritesOverTheLimit_AreRejectedWithArgumentException()
    {
        await using var link = new ModbusLink(Options(1));
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await link.WriteMultipleRegistersAsync(1, 0, new ushort[124]));
        Assert.Contains("at most 123", ex.Message);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await link.WriteMultipleCoilsAsync(1, 0, new bool[1969]));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await link.ReadHoldingRegistersAsync(1, 65535, 2));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await link.ReadHoldingRegistersAsync(1, 0, 0));
        Assert.Equal(0, link.ConnectionsOpened);
    }

    [Fact]
    public async Task Options_AreValidatedWithClearMessages()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ModbusLink(new ModbusTcpLinkOptions { Host = "", Port = 0, MaxInFlight = 0, ResponseTimeout = TimeSpan.Zero }));
        Assert.Contains("Host is required", ex.Message);
        Assert.Contains("Port must be 1..65535", ex.Message);
        Assert.Contains("MaxInFlight must be 1..64", ex.Message);
        Assert.Contains("ResponseTimeout must be positive", ex.Message);
        await using var link = new ModbusLink(Options(1));
        var quirks = Assert.Throws<ArgumentException>(() => link.Configure(1, new ModbusDeviceQuirks { MaxRegistersPerRead = 126 }));
        Assert.Contains("MaxRegistersPerRead must be 1..125", quirks.Message);
    }

    [Fact]
    public async Task Pipelining_MatchesOutOfOrderResponsesByTransactionId()
    {
        await using var peer = new ScriptedPeer();
        await using var link = new ModbusLink(Options(peer.Port, maxInFlight: 3));
        var reads = Enumerable.Range(0, 3).Select(i => link.ReadHoldingRegistersAsync(1, (ushort)(i * 10), 1).AsTask()).ToArray();
        await peer.AcceptAsync();
        var seen = new List<(ushort Tid, ushort Address)>();
        for (var i = 0; i < 3; i++)
        {
            var (tid, _, pdu) = await peer.ReadRequestAsync().WaitAsync(Guard);
            seen.Add((tid, BinaryPrimitives.ReadUInt16BigEndian(pdu.AsSpan(1))));
        }
        // All three are on the wire before any answer; answer them newest first.
        foreach (var (tid, address) in Enumerable.Reverse(seen)) await peer.RespondAsync(tid, 1, RegistersPdu(3, (ushort)(address + 1000)));
        var results = await Task.WhenAll(reads).WaitAsync(Guard);
        Assert.Equal(new ushort[] { 1000, 1010, 1020 }, results.Select(r => r[0]).ToArray());
    }

    [Fact]
    public async Task MaxInFlight_BoundsRequestsOnTheWire()
    {
        await using var peer = new ScriptedPeer();
        await using var link = new ModbusLink(Options(peer.Port, maxInFlight: 2));
        var reads = Enumerable.Range(0, 3).Select(i => link.ReadHoldingRegistersAsync(1, (ushort)i, 1).AsTask()).ToArray();
        await peer.AcceptAsync();
        var first = await peer.ReadRequestAsync().WaitAsync(Guard);
        var second = await peer.ReadRequestAsync().WaitAsync(Guard);
        var third = peer.ReadRequestAsync();
        // Bounded negative check: the third request must not be on the wire while two are unanswered.
        Assert.NotSame(third, await Task.WhenAny(third, Task.Delay(200)));
        await peer.RespondAsync(first.TransactionId, 1, RegistersPdu(3, 1));
        var (tid, _, _) = await third.WaitAsync(Guard);
        await peer.RespondAsync(second.TransactionId, 1, RegistersPdu(3, 2));
        await peer.RespondAsync(tid, 1, RegistersPdu(3, 3));
        Assert.Equal(new ushort[] { 1, 2, 3 }, (await Task.WhenAll(reads).WaitAsync(Guard)).Select(r => r[0]).ToArray());
    }

    [Fact]
    public async Task StaleTransactionId_IsDiscarded_NotFatal()
    {
        await using var peer = new ScriptedPeer();
        await using var link = new ModbusLink(Options(peer.Port));
        var read = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync();
        var (tid, _, _) = await peer.ReadRequestAsync().WaitAsync(Guard);
        await peer.RespondAsync(unchecked((ushort)(tid + 100)), 1, RegistersPdu(3, 666));
        await peer.RespondAsync(tid, 1, RegistersPdu(3, 42));
        Assert.Equal(42, (await read.WaitAsync(Guard))[0]);
        Assert.True(link.IsConnected);
        Assert.Equal(1, link.ConnectionsOpened);
    }

    [Fact]
    public async Task Timeout_IsTimeoutException_Cancel_IsOperationCanceled_AndTheConnectionSurvives()
    {
        var clock = new FakeTimeProvider();
        await using var peer = new ScriptedPeer();
        var options = Options(peer.Port);
        options.ResponseTimeout = TimeSpan.FromSeconds(1);
        await using var link = new ModbusLink(options, timeProvider: clock);

        var timedOut = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync();
        var first = await peer.ReadRequestAsync().WaitAsync(Guard);
        clock.Advance(TimeSpan.FromSeconds(1));
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => timedOut.WaitAsync(Guard));
        Assert.Contains("did not answer", timeout.Message);

        using var cts = new CancellationTokenSource();
        var canceled = link.ReadHoldingRegistersAsync(1, 0, 1, cts.Token).AsTask();
        var second = await peer.ReadRequestAsync().WaitAsync(Guard);
        await cts.CancelAsync();
        var oce = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.WaitAsync(Guard));
        Assert.Equal(cts.Token, oce.CancellationToken);

        // Late answers to both are stale; the next request is answered on the same connection.
        await peer.RespondAsync(first.TransactionId, 1, RegistersPdu(3, 1));
        await peer.RespondAsync(second.TransactionId, 1, RegistersPdu(3, 2));
        var third = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        var request = await peer.ReadRequestAsync().WaitAsync(Guard);
        await peer.RespondAsync(request.TransactionId, 1, RegistersPdu(3, 3));
        Assert.Equal(3, (await third.WaitAsync(Guard))[0]);
        Assert.Equal(1, link.ConnectionsOpened);
    }

    [Fact]
    public async Task ServerDrop_FailsInFlightWithCommunicationError_ThenReconnectsLazily()
    {
        await using var peer = new ScriptedPeer();
        await using var link = new ModbusLink(Options(peer.Port));
        var read = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync();
        await peer.ReadRequestAsync().WaitAsync(Guard);
        peer.Drop();
        var error = await Assert.ThrowsAsync<ModbusCommunicationException>(() => read.WaitAsync(Guard));
        Assert.True(error.IsTransient);

        var again = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync().WaitAsync(Guard);
        var (tid, _, _) = await peer.ReadRequestAsync().WaitAsync(Guard);
        await peer.RespondAsync(tid, 1, RegistersPdu(3, 7));
        Assert.Equal(7, (await again.WaitAsync(Guard))[0]);
        Assert.Equal(2, link.ConnectionsOpened);
    }

    [Fact]
    public async Task MalformedFrame_BlamesTheOldestRequest_AndRetriesTheOthersOnANewConnection()
    {
        await using var peer = new ScriptedPeer();
        await using var link = new ModbusLink(Options(peer.Port, maxInFlight: 2));
        var a = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        var b = link.ReadHoldingRegistersAsync(2, 1, 1).AsTask();
        await peer.AcceptAsync();
        await peer.ReadRequestAsync().WaitAsync(Guard);
        await peer.ReadRequestAsync().WaitAsync(Guard);
        // Where the answer to unit 1 (sent first) belongs comes a header with protocol id 5: the stream lost sync.
        await peer.SendAsync(Hex.Bytes("0001 0005 0005 01 03 02 0000"));
        var blamed = await Assert.ThrowsAsync<ModbusProtocolException>(() => a.WaitAsync(Guard));
        Assert.Contains("Unit 1 ", blamed.Message);
        Assert.Contains("protocol identifier is 5", blamed.Message);

        // Unit 2 was not at fault: its request goes out again on the next connection and succeeds.
        await peer.AcceptAsync().WaitAsync(Guard);
        var (tid, unit, _) = await peer.ReadRequestAsync().WaitAsync(Guard);
        Assert.Equal(2, unit);
        await peer.RespondAsync(tid, 2, RegistersPdu(3, 9));
        Assert.Equal(9, (await b.WaitAsync(Guard))[0]);
        Assert.Equal(2, link.ConnectionsOpened);
    }

    [Fact]
    public async Task ShortGarbageThenSilence_BlamesTheUnitWhoseAnswerItWas_AndTheNextUnitGetsAFreshConnection()
    {
        await using var peer = new ScriptedPeer();
        var options = Options(peer.Port);
        options.ResponseTimeout = TimeSpan.FromMilliseconds(500);
        await using var link = new ModbusLink(options);
        var faulty = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync();
        await peer.ReadRequestAsync().WaitAsync(Guard);
        var healthy = link.ReadHoldingRegistersAsync(2, 0, 1).AsTask();
        // Three bytes instead of an answer: not a header yet. Read on this stream, unit 2's answer would complete a
        // bogus header ("MBAP protocol identifier is ...") and unit 2 would be blamed.
        await peer.SendAsync(Hex.Bytes("303030"));
        var blamed = await Assert.ThrowsAsync<ModbusProtocolException>(() => faulty.WaitAsync(Guard));
        Assert.Contains("Unit 1 ", blamed.Message);
        Assert.Contains("3 bytes", blamed.Message);

        await peer.AcceptAsync().WaitAsync(Guard);
        var (tid, unit, _) = await peer.ReadRequestAsync().WaitAsync(Guard);
        Assert.Equal(2, unit);
        await peer.RespondAsync(tid, 2, RegistersPdu(3, 42));
        Assert.Equal(42, (await healthy.WaitAsync(Guard))[0]);
        Assert.Equal(2, link.ConnectionsOpened);
    }

    [Fact]
    public async Task CorruptAnswers_OpenTheCulpritsBreaker_NeverTheNeighbours()
    {
        await using var peer = new ScriptedPeer();
        var options = Options(peer.Port, maxInFlight: 2);
        options.BreakerFailureThreshold = 2;
        await using var link = new ModbusLink(options);
        for (var round = 0; round < 2; round++)
        {
            var faulty = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
            var healthy = link.ReadHoldingRegistersAsync(2, 0, 1).AsTask();
            if (round == 0) await peer.AcceptAsync().WaitAsync(Guard);
            var first = await peer.ReadRequestAsync().WaitAsync(Guard);
            await peer.ReadRequestAsync().WaitAsync(Guard);
            Assert.Equal(1, first.UnitId);
            await peer.SendAsync(Hex.Bytes("FFFF FFFF FFFF FF"));
            await Assert.ThrowsAsync<ModbusProtocolException>(() => faulty.WaitAsync(Guard));
            await peer.AcceptAsync().WaitAsync(Guard);
            var retried = await peer.ReadRequestAsync().WaitAsync(Guard);
            Assert.Equal(2, retried.UnitId);
            await peer.RespondAsync(retried.TransactionId, 2, RegistersPdu(3, 5));
            Assert.Equal(5, (await healthy.WaitAsync(Guard))[0]);
        }
        Assert.False(link.IsUnitAvailable(1, out _));
        Assert.True(link.IsUnitAvailable(2, out _));
    }

    [Fact]
    public async Task WrongByteCount_IsProtocolError_ExceptionResponse_IsRemoteError()
    {
        await using var peer = new ScriptedPeer();
        await using var link = new ModbusLink(Options(peer.Port));
        var remote = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync();
        var first = await peer.ReadRequestAsync().WaitAsync(Guard);
        await peer.RespondAsync(first.TransactionId, 1, Hex.Bytes("83 02"));
        var ex = await Assert.ThrowsAsync<ModbusRemoteException>(() => remote.WaitAsync(Guard));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        Assert.True(link.IsConnected);

        var bad = link.ReadHoldingRegistersAsync(1, 0, 2).AsTask();
        var second = await peer.ReadRequestAsync().WaitAsync(Guard);
        await peer.RespondAsync(second.TransactionId, 1, RegistersPdu(3, 1));
        await Assert.ThrowsAsync<ModbusProtocolException>(() => bad.WaitAsync(Guard));
    }

    [Fact]
    public async Task ConnectionRefused_IsCommunicationError_AndBacksOff()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var clock = new FakeTimeProvider();
        var options = Options(port);
        options.ResponseTimeout = TimeSpan.FromSeconds(1);
        options.ReconnectBackoffMin = TimeSpan.FromSeconds(5);
        options.ReconnectBackoffMax = TimeSpan.FromSeconds(60);
        await using var link = new ModbusLink(options, timeProvider: clock);
        await Assert.ThrowsAsync<ModbusCommunicationException>(async () => await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard));
        // Within the backoff (longer than the response timeout) the link fails fast without dialing.
        var fast = await Assert.ThrowsAsync<ModbusCommunicationException>(async () => await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard));
        Assert.Contains("next connection attempt", fast.Message);
        clock.Advance(TimeSpan.FromSeconds(6));
        var dialed = await Assert.ThrowsAsync<ModbusCommunicationException>(async () => await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard));
        Assert.DoesNotContain("next connection attempt", dialed.Message);
        Assert.Equal(0, link.ConnectionsOpened);
    }

    [Fact]
    public async Task ManyUnitsBehindOneGateway_ShareExactlyOneConnection()
    {
        var bank = new ModbusRegisterBank();
        for (byte unit = 1; unit <= 5; unit++) bank.AddUnit(unit).SetRegisters(unit, ModbusTable.HoldingRegisters, 0, unit);
        await using var server = new LoopbackServer(bank: bank, maxConnections: 1);
        await using var pool = new ModbusLinkPool();
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            var unit = (byte)(i % 5 + 1);
            var link = pool.GetLink(Options(server.Port, maxInFlight: 4));
            return (unit, (await link.ReadHoldingRegistersAsync(unit, 0, 1))[0]);
        }).ToArray();
        foreach (var (unit, value) in await Task.WhenAll(tasks).WaitAsync(Guard)) Assert.Equal(unit, value);
        Assert.Single(pool.Links);
        Assert.Equal(1, pool.Links[0].ConnectionsOpened);
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Pool_HandsOutOneLinkPerEndpoint()
    {
        await using var pool = new ModbusLinkPool();
        var a = pool.GetLink(new ModbusTcpLinkOptions { Host = "Gateway.local", Port = 502 });
        var b = pool.GetLink("gateway.local", 502);
        var c = pool.GetLink("gateway.local", 503);
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        await pool.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => pool.GetLink("x", 1));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await a.ReadCoilsAsync(1, 0, 1));
    }

    [Fact]
    public async Task Dispose_FailsOutstandingRequests()
    {
        await using var peer = new ScriptedPeer();
        var link = new ModbusLink(Options(peer.Port));
        var read = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        await peer.AcceptAsync();
        await peer.ReadRequestAsync().WaitAsync(Guard);
        await link.DisposeAsync().AsTask().WaitAsync(Guard);
        await Assert.ThrowsAsync<ModbusCommunicationException>(() => read.WaitAsync(Guard));
    }

    [Fact]
    public async Task PauseBetweenRequests_SpacesOneUnitsRequestsOnTheClock()
    {
        var clock = new WatchedClock();
        await using var server = new LoopbackServer();
        await using var link = new ModbusLink(Options(server.Port), timeProvider: clock);
        link.Configure(1, new ModbusDeviceQuirks { PauseBetweenRequests = TimeSpan.FromMilliseconds(500) });
        await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard);
        while (clock.TimersCreated.TryRead(out _)) { } // the first connect's timeout
        var second = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        // The writer holds the second request for the whole pause, on the clock; advance once it waits there
        // (advancing earlier would leave its wait, armed later, on a clock that never moves again).
        Assert.Equal(TimeSpan.FromMilliseconds(500), await clock.TimersCreated.ReadAsync().AsTask().WaitAsync(Guard));
        Assert.NotSame(second, await Task.WhenAny(second, Task.Delay(200)));
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await second.WaitAsync(Guard);
    }
}
