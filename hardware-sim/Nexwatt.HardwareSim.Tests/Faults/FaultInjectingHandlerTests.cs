using Nexwatt.HardwareSim.Faults;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Faults;

public sealed class FaultInjectingHandlerTests
{
    private static readonly byte[] ReadRequest = [0x03, 0x9C, 0x40, 0x00, 0x02];
    private static readonly byte[] ReadResponse = [0x03, 0x04, 0x53, 0x75, 0x6E, 0x53];

    private sealed class FixedHandler : IModbusServerHandler
    {
        public int Calls { get; private set; }

        public ValueTask<ModbusServerReply> HandleAsync(byte unitId, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
        {
            Calls++;
            return new(ModbusServerReply.Respond(ReadResponse));
        }
    }

    private static (FaultInjectingHandler Handler, FixedHandler Inner, DeviceFaults Faults) Create(FaultPlan plan, TimeProvider? time = null, int seed = 42)
    {
        var inner = new FixedHandler();
        var faults = new DeviceFaults(plan, seed);
        return (new FaultInjectingHandler(inner, unit => unit == 1 ? faults : null, time ?? TimeProvider.System), inner, faults);
    }

    [Fact]
    public async Task No_plan_passes_through_and_counts_requests()
    {
        var (handler, inner, faults) = Create(FaultPlan.None);
        var reply = await handler.HandleAsync(1, ReadRequest, CancellationToken.None);
        Assert.Equal(ModbusServerReplyKind.Respond, reply.Kind);
        Assert.Equal(ReadResponse, reply.Pdu.ToArray());
        Assert.Equal(1, inner.Calls);
        Assert.Equal(1, faults.Requests);
        Assert.Equal(0, faults.Injected);
    }

    [Fact]
    public async Task Unknown_unit_passes_through_untouched()
    {
        var (handler, inner, _) = Create(new FaultPlan { DropEvery = 1 });
        var reply = await handler.HandleAsync(9, ReadRequest, CancellationToken.None);
        Assert.Equal(ModbusServerReplyKind.Respond, reply.Kind);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Drop_every_third_request_closes_the_connection()
    {
        var (handler, inner, faults) = Create(new FaultPlan { DropEvery = 3 });
        var kinds = new List<ModbusServerReplyKind>();
        for (var i = 0; i < 6; i++) kinds.Add((await handler.HandleAsync(1, ReadRequest, CancellationToken.None)).Kind);
        Assert.Equal([ModbusServerReplyKind.Respond, ModbusServerReplyKind.Respond, ModbusServerReplyKind.CloseConnection,
            ModbusServerReplyKind.Respond, ModbusServerReplyKind.Respond, ModbusServerReplyKind.CloseConnection], kinds);
        Assert.Equal(4, inner.Calls);
        Assert.Equal(2, faults.Injected);
    }

    [Fact]
    public async Task Exception_probability_one_always_answers_the_code()
    {
        var (handler, inner, _) = Create(new FaultPlan { ExceptionProbability = 1, ExceptionCode = ModbusExceptionCode.ServerDeviceFailure });
        var reply = await handler.HandleAsync(1, ReadRequest, CancellationToken.None);
        Assert.Equal(ModbusServerReplyKind.Exception, reply.Kind);
        Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, reply.ExceptionCode);
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task Garbage_sends_raw_bytes_and_corrupt_flips_the_function_code()
    {
        var (garbage, _, _) = Create(new FaultPlan { GarbageProbability = 1 });
        var raw = await garbage.HandleAsync(1, ReadRequest, CancellationToken.None);
        Assert.Equal(ModbusServerReplyKind.RawBytes, raw.Kind);
        Assert.InRange(raw.Pdu.Length, 1, 12);

        var (corrupt, _, _) = Create(new FaultPlan { CorruptProbability = 1 });
        var spoiled = await corrupt.HandleAsync(1, ReadRequest, CancellationToken.None);
        Assert.Equal(ModbusServerReplyKind.Respond, spoiled.Kind);
        Assert.Equal(0x23, spoiled.Pdu.Span[0]);
        Assert.Equal(ReadResponse[1..], spoiled.Pdu.Span[1..].ToArray());
        Assert.Equal(0x03, ReadResponse[0]); // the handler's own buffer is not modified
    }

    [Fact]
    public async Task Slow_responses_wait_on_the_clock()
    {
        var time = new FakeTimeProvider();
        var (handler, inner, _) = Create(new FaultPlan { SlowMilliseconds = 500 }, time);
        var pending = handler.HandleAsync(1, ReadRequest, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var reply = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ModbusServerReplyKind.Respond, reply.Kind);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Slow_response_honours_cancellation()
    {
        var time = new FakeTimeProvider();
        var (handler, _, _) = Create(new FaultPlan { SlowMilliseconds = 10_000 }, time);
        using var cts = new CancellationTokenSource();
        var pending = handler.HandleAsync(1, ReadRequest, cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Same_seed_replays_the_same_fault_sequence()
    {
        var plan = new FaultPlan { DropProbability = 0.2, ExceptionProbability = 0.2, GarbageProbability = 0.2 };
        async Task<string> Run(int seed)
        {
            var (handler, _, _) = Create(plan, seed: seed);
            var kinds = new List<char>();
            for (var i = 0; i < 60; i++) kinds.Add((await handler.HandleAsync(1, ReadRequest, CancellationToken.None)).Kind.ToString()[0]);
            return new string(kinds.ToArray());
        }
        var first = await Run(7);
        Assert.Equal(first, await Run(7));
        Assert.NotEqual(first, await Run(8));
        Assert.Contains('C', first);
        Assert.Contains('E', first);
        Assert.Contains('R', first);
    }

    [Fact]
    public void Device_seeds_are_stable_and_distinct()
    {
        Assert.Equal(DeviceFaults.DeriveSeed(1, "inverter-1"), DeviceFaults.DeriveSeed(1, "inverter-1"));
        Assert.NotEqual(DeviceFaults.DeriveSeed(1, "inverter-1"), DeviceFaults.DeriveSeed(1, "battery-1"));
        Assert.NotEqual(DeviceFaults.DeriveSeed(1, "inverter-1"), DeviceFaults.DeriveSeed(2, "inverter-1"));
    }
}
