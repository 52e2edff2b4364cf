using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;
using Result = Nexwatt.Protos.V1.SetpointAck.Types.Result;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

public sealed class DispatchEngineTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SetpointFactory _collector;
    private readonly FakeSiteDevices _devices = new();
    private readonly DispatchOptions _options = new() { RevertTimeout = TimeSpan.FromSeconds(60), MaxSiteDischargeW = 8000 };
    private readonly DispatchEngine _engine;
    private readonly List<SetpointAck> _acks = [];

    public DispatchEngineTests()
    {
        _collector = new SetpointFactory(_time.GetUtcNow());
        _devices.States["b1"] = FakeSiteDevices.Battery("b1");
        _devices.States["b2"] = FakeSiteDevices.Battery("b2");
        _engine = new DispatchEngine(new SetpointVerifier(_collector.Pinned(), "site-1", _options.ClockSkewTolerance), _devices, _options, "site-1", _time, NullLogger.Instance);
    }

    public void Dispose() => _collector.Dispose();

    private Task Send(Setpoint setpoint) => _engine.HandleAsync(_collector.Signed(setpoint), _acks.Add, CancellationToken.None);

    private async Task Advance(TimeSpan by)
    {
        _time.Advance(by);
        _collector.Now = _time.GetUtcNow();
        await _engine.RunDueAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_setpoint_is_applied_with_the_revert_timeout_reasserted_inside_it_and_restored_at_expiry()
    {
        await Send(_collector.Setpoint("sp-1", lifetime: TimeSpan.FromSeconds(100), targets: [Watts("b1", 3000)]));

        var ack = Assert.Single(_acks);
        Assert.Equal(Result.Applied, ack.Result);
        Assert.Equal(("sp-1", "site-1", "d-1", 3000.0), (ack.SetpointId, ack.SiteId, ack.DispatchId, ack.MeasuredW));
        Assert.Equal(["apply b1 3000 revert=60"], _devices.Log);

        await Advance(TimeSpan.FromSeconds(19));
        Assert.Single(_devices.Log);
        await Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _devices.Log.Count);
        await Advance(TimeSpan.FromSeconds(20));
        await Advance(TimeSpan.FromSeconds(20));
        await Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(5, _devices.Log.Count);
        await Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("restore b1", _devices.Log[^1]);
        Assert.Empty(_engine.Active);
        Assert.Null(_engine.NextDue);
    }

    [Fact]
    public async Task A_device_that_drops_its_setpoint_sooner_is_reasserted_as_often_as_it_needs()
    {
        // A Victron Multi takes over again about 10 s after the last write: its map asks for 5 s, below the agent's 20 s.
        _devices.States["b1"] = FakeSiteDevices.Battery("b1") with { ReassertWithin = TimeSpan.FromSeconds(5) };
        await Send(_collector.Setpoint("sp-1", lifetime: TimeSpan.FromSeconds(100), targets: [Watts("b1", 3000), Watts("b2", 1000)]));
        Assert.Equal(2, _devices.Log.Count);

        await Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(2, _devices.Log.Count);
        await Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, _devices.Log.Count); // both re-asserted: one cadence per setpoint, the shortest its devices need
        await Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(6, _devices.Log.Count);
    }

    [Fact]
    public async Task A_replacing_setpoint_restores_the_devices_it_drops_and_a_stop_restores_the_rest()
    {
        await Send(_collector.Setpoint("sp-1", targets: [Watts("b1", 3000), Watts("b2", 3000)]));
        await Advance(TimeSpan.FromSeconds(1));
        await Send(_collector.Setpoint("sp-2", targets: [Watts("b2", 4000)]));

        Assert.Equal(["apply b1 3000 revert=60", "apply b2 3000 revert=60", "restore b1", "apply b2 4000 revert=60"], _devices.Log);
        Assert.Equal([PlannedTarget.Power("b2", 4000)], _engine.Active["d-1"]);

        await Advance(TimeSpan.FromSeconds(1));
        await Send(_collector.Setpoint("sp-3"));
        Assert.Equal("restore b2", _devices.Log[^1]);
        Assert.Equal(Result.Applied, _acks[^1].Result);
        Assert.Empty(_engine.Active);
    }

    [Fact]
    public async Task Rejected_targets_are_reported_beside_the_applied_ones()
    {
        _devices.States["b2"] = FakeSiteDevices.Battery("b2", soc: 15);
        await Send(_collector.Setpoint("sp-1", targets: [Watts("b1", 2000), Watts("b2", 2000), Watts("ghost", 100)]));

        var ack = Assert.Single(_acks);
        Assert.Equal(Result.Partial, ack.Result);
        Assert.Equal(2000, ack.MeasuredW);
        Assert.Equal([Result.Applied, Result.Rejected, Result.Rejected], ack.Targets.OrderBy(t => t.DeviceId == "b1" ? 0 : t.DeviceId == "b2" ? 1 : 2).Select(t => t.Result));
        Assert.StartsWith("at reserve", ack.Targets.Single(t => t.DeviceId == "b2").Reason);
        Assert.Equal(["apply b1 2000 revert=60"], _devices.Log);
    }

    [Fact]
    public async Task When_every_target_is_rejected_nothing_is_written()
    {
        await Send(_collector.Setpoint("sp-1", targets: [Watts("b1", 9000), Watts("ghost", 100)]));
        Assert.Equal(Result.Rejected, Assert.Single(_acks).Result);
        Assert.Empty(_devices.Log);
        Assert.Empty(_engine.Active);
    }

    [Fact]
    public async Task A_site_limit_breach_rejects_the_whole_setpoint()
    {
        await Send(_collector.Setpoint("sp-1", targets: [Watts("b1", 5000), Watts("b2", 5000)]));
        var ack = Assert.Single(_acks);
        Assert.Equal(Result.Rejected, ack.Result);
        Assert.Contains("site limit", ack.Reason);
        Assert.Empty(_devices.Log);
    }

    [Fact]
    public async Task A_device_that_fails_the_write_makes_the_answer_partial()
    {
        _devices.FailingWrites.Add("b2");
        await Send(_collector.Setpoint("sp-1", targets: [Watts("b1", 1000), Watts("b2", 1000)]));
        Assert.Equal(Result.Partial, Assert.Single(_acks).Result);
        Assert.Equal([PlannedTarget.Power("b1", 1000)], _engine.Active["d-1"]);
    }

    [Fact]
    public async Task A_duplicate_gets_the_same_answer_and_writes_nothing()
    {
        var payload = _collector.Signed(_collector.Setpoint("sp-1", targets: [Watts("b1", 1000)]));
        await _engine.HandleAsync(payload, _acks.Add, CancellationToken.None);
        await _engine.HandleAsync(payload, _acks.Add, CancellationToken.None);
        Assert.Equal(2, _acks.Count);
        Assert.Same(_acks[0], _acks[1]);
        Assert.Single(_devices.Log);
    }

    [Fact]
    public async Task A_bad_setpoint_is_answered_with_its_reason_and_nothing_is_written()
    {
        var unsigned = new SignedSetpoint { Setpoint = _collector.Setpoint("sp-u", targets: [Watts("b1", 1000)]).ToByteString() };
        await _engine.HandleAsync(unsigned.ToByteArray(), _acks.Add, CancellationToken.None);
        var ack = Assert.Single(_acks);
        Assert.Equal((Result.Rejected, "unsigned", "sp-u", "site-1"), (ack.Result, ack.Reason, ack.SetpointId, ack.SiteId));
        Assert.Empty(_devices.Log);
    }

    [Fact]
    public async Task A_setpoint_waits_for_its_start_and_is_answered_then()
    {
        await Send(_collector.Setpoint("sp-1", start: _time.GetUtcNow() + TimeSpan.FromSeconds(30), targets: [Watts("b1", 1000)]));
        Assert.Empty(_acks);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), _engine.NextDue);

        await Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(_devices.Log);
        await Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Result.Applied, Assert.Single(_acks).Result);
        Assert.Single(_devices.Log);
    }

    [Fact]
    public async Task At_shutdown_every_held_device_is_restored()
    {
        await Send(_collector.Setpoint("sp-1", targets: [Watts("b1", 1000)]));
        await Send(_collector.Setpoint("sp-2", dispatch: "d-2", targets: [Watts("b2", -1000)]));
        await _engine.RestoreAllAsync(CancellationToken.None);
        Assert.Equal(["restore b1", "restore b2"], _devices.Log.Where(l => l.StartsWith("restore", StringComparison.Ordinal)));
        Assert.Empty(_engine.Active);
    }

    [Fact]
    public async Task A_held_discharge_stops_when_the_battery_reaches_the_subscribers_reserve()
    {
        _devices.States["b1"] = FakeSiteDevices.Battery("b1", soc: 31);
        var target = Watts("b1", 3000);
        target.MinSocPct = 30;
        await Send(_collector.Setpoint("sp-1", lifetime: TimeSpan.FromSeconds(100), targets: [target]));
        Assert.Equal(Result.Applied, Assert.Single(_acks).Result);

        await Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(["apply b1 3000 revert=60", "apply b1 3000 revert=60"], _devices.Log);

        // The battery drains to the subscriber's reserve (above the device's own 20 %): the next beat stops it.
        _devices.States["b1"] = FakeSiteDevices.Battery("b1", soc: 29.9);
        await Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("restore b1", _devices.Log[^1]);
        Assert.Empty(_engine.Active);
        await Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(3, _devices.Log.Count);
    }
}
