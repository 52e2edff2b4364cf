using System.Threading.Channels;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>Per-unit circuit breakers: one dead device behind a gateway never delays the healthy ones.</summary>
public sealed class BreakerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public void Breaker_OpensAfterThreshold_ProbesOnce_AndDoublesItsPause()
    {
        var breaker = new CircuitBreaker(threshold: 3, openMinTicks: 100, openMaxTicks: 250);
        Assert.False(breaker.OnFailure(0, wasProbe: false));
        Assert.False(breaker.OnFailure(1, wasProbe: false));
        Assert.True(breaker.OnFailure(2, wasProbe: false));
        Assert.True(breaker.Refuses(50));
        Assert.Equal(BreakerAdmission.Refused, breaker.Admit(101));
        Assert.Equal(BreakerAdmission.Probe, breaker.Admit(102));
        Assert.Equal(BreakerAdmission.Refused, breaker.Admit(103)); // one probe at a time
        Assert.True(breaker.OnFailure(110, wasProbe: true));        // reopens for 200
        Assert.Equal(310, breaker.OpenUntil);
        Assert.Equal(BreakerAdmission.Probe, breaker.Admit(310));
        Assert.True(breaker.OnFailure(310, wasProbe: true));        // capped at 250
        Assert.Equal(560, breaker.OpenUntil);
        Assert.Equal(BreakerAdmission.Probe, breaker.Admit(560));
        breaker.OnSuccess();
        Assert.Equal(BreakerAdmission.Allowed, breaker.Admit(561));
        Assert.False(breaker.OnFailure(562, wasProbe: false));      // the count starts over
    }

    [Fact]
    public async Task DeadUnit_IsIsolated_HealthyUnitReadsProceedWithoutAddedLatency()
    {
        var clock = new FakeTimeProvider();
        var bank = new ModbusRegisterBank().AddUnit(1); // unit 2 never answers (absent behind the "gateway")
        bank.SetRegisters(1, ModbusTable.HoldingRegisters, 0, 11);
        var inner = new ModbusDataModelHandler(bank);
        var unit2Requests = Channel.CreateUnbounded<bool>();
        var handler = new LambdaHandler((unit, pdu, ct) =>
        {
            if (unit == 2) unit2Requests.Writer.TryWrite(true);
            return inner.HandleAsync(unit, pdu, ct);
        });
        await using var server = new LoopbackServer(handler, bank);
        await using var link = new ModbusLink(new ModbusTcpLinkOptions
        {
            Host = "127.0.0.1", Port = server.Port, MaxInFlight = 1, ResponseTimeout = TimeSpan.FromSeconds(1),
            BreakerFailureThreshold = 3, BreakerOpenMin = TimeSpan.FromSeconds(5), BreakerOpenMax = TimeSpan.FromSeconds(60),
        }, timeProvider: clock);

        // Three timeouts of unit 2 open its breaker. The fake clock only moves when the test says so.
        for (var i = 0; i < 3; i++)
        {
            var dead = link.ReadHoldingRegistersAsync(2, 0, 1).AsTask();
            await unit2Requests.Reader.ReadAsync().AsTask().WaitAsync(Guard);
            clock.Advance(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAsync<TimeoutException>(() => dead.WaitAsync(Guard));
        }
        Assert.False(link.IsUnitAvailable(2, out var retryAfter));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(5), retryAfter);

        // Open: unit 2 fails fast, nothing goes on the wire, and unit 1 is answered with the clock standing still:
        // a unit-1 read stuck behind a unit-2 timeout could never complete here.
        for (var i = 0; i < 50; i++)
        {
            var refused = link.ReadHoldingRegistersAsync(2, 0, 1);
            Assert.True(refused.IsCompleted);
            var unavailable = await Assert.ThrowsAsync<ModbusDeviceUnavailableException>(async () => await refused);
            Assert.True(unavailable.IsTransient);
            Assert.Equal(11, (await link.ReadHoldingRegistersAsync(1, 0, 1).AsTask().WaitAsync(Guard))[0]);
        }
        Assert.False(unit2Requests.Reader.TryRead(out _));

        // After the open period one probe goes out (the healthy unit waits behind it once per period at most).
        clock.Advance(TimeSpan.FromSeconds(5));
        var probe = link.ReadHoldingRegistersAsync(2, 0, 1).AsTask();
        await unit2Requests.Reader.ReadAsync().AsTask().WaitAsync(Guard);
        await Assert.ThrowsAsync<ModbusDeviceUnavailableException>(async () => await link.ReadHoldingRegistersAsync(2, 0, 1));
        var behindProbe = link.ReadHoldingRegistersAsync(1, 0, 1).AsTask();
        clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => probe.WaitAsync(Guard));
        Assert.Equal(11, (await behindProbe.WaitAsync(Guard))[0]);

        // The failed probe doubled the pause to 10 s.
        clock.Advance(TimeSpan.FromSeconds(9));
        await Assert.ThrowsAsync<ModbusDeviceUnavailableException>(async () => await link.ReadHoldingRegistersAsync(2, 0, 1));
        clock.Advance(TimeSpan.FromSeconds(1));

        // The device comes back: the probe succeeds and closes the breaker.
        bank.AddUnit(2).SetRegisters(2, ModbusTable.HoldingRegisters, 0, 22);
        Assert.Equal(22, (await link.ReadHoldingRegistersAsync(2, 0, 1).AsTask().WaitAsync(Guard))[0]);
        Assert.True(link.IsUnitAvailable(2, out _));
        Assert.Equal(1, link.ConnectionsOpened);
    }
}
