using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>The watchdog fed only while every loop makes progress and the buffer stores readings, on a fake clock.</summary>
public sealed class SystemdWatchdogTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingNotifier _systemd = new();
    private readonly AgentLiveness _liveness;
    private bool _bufferHealthy = true;

    public SystemdWatchdogTests() => _liveness = new AgentLiveness(_time);

    private async Task<SystemdWatchdog> StartAsync()
    {
        var watchdog = new SystemdWatchdog(_systemd, _liveness, () => _bufferHealthy, _time, NullLogger<SystemdWatchdog>.Instance, Period);
        await watchdog.StartedAsync(CancellationToken.None);
        return watchdog;
    }

    [Fact]
    public async Task Feeds_the_watchdog_at_half_its_period_while_every_loop_is_on_time_and_stops_on_shutdown()
    {
        using var watchdog = await StartAsync();
        using var poller = _liveness.Register("the poller of inverter");
        for (var i = 0; i < 4; i++)
        {
            poller.Beat(TimeSpan.FromSeconds(5)); // a poll every 5 s
            _time.Advance(TimeSpan.FromSeconds(15));
        }
        Assert.Equal(Enumerable.Repeat("WATCHDOG=1", 4), _systemd.Take());

        await watchdog.StoppingAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(_systemd.Take());
    }

    [Fact]
    public async Task A_loop_overdue_by_more_than_half_the_period_withholds_the_watchdog_until_it_beats_again()
    {
        using var watchdog = await StartAsync();
        using var poller = _liveness.Register("the poller of battery");
        poller.Beat(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(15)); // overdue by 5 s: within the grace of 15 s
        Assert.Equal(["WATCHDOG=1"], _systemd.Take());

        _time.Advance(TimeSpan.FromSeconds(15)); // overdue by 20 s: stalled
        var withheld = Assert.Single(_systemd.Take());
        Assert.StartsWith("STATUS=Unhealthy: the poller of battery", withheld);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.DoesNotContain("WATCHDOG=1", _systemd.Take());

        poller.Beat(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal([SystemdWatchdog.HealthyStatus, "WATCHDOG=1"], _systemd.Take());
    }

    [Fact]
    public async Task An_idle_loop_waiting_for_the_link_is_never_stalled_and_an_ended_one_no_longer_counts()
    {
        using var watchdog = await StartAsync();
        var uplink = _liveness.Register("the MQTT uplink");
        uplink.Idle();
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.All(_systemd.Take(), s => Assert.Equal("WATCHDOG=1", s));

        uplink.Beat(TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(45));
        Assert.Contains(_systemd.Take(), s => s.StartsWith("STATUS=Unhealthy: the MQTT uplink", StringComparison.Ordinal));
        uplink.Dispose();
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Contains("WATCHDOG=1", _systemd.Take());
    }

    [Fact]
    public async Task A_buffer_that_cannot_store_readings_withholds_the_watchdog_and_says_why()
    {
        using var watchdog = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(["WATCHDOG=1"], _systemd.Take());

        _bufferHealthy = false;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([SystemdWatchdog.BufferUnhealthyStatus, SystemdWatchdog.BufferUnhealthyStatus], _systemd.Take());

        _bufferHealthy = true;
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal([SystemdWatchdog.HealthyStatus, "WATCHDOG=1"], _systemd.Take());
    }

    [Fact]
    public async Task Does_nothing_outside_systemd()
    {
        _systemd.IsEnabled = false;
        using var watchdog = await StartAsync();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(_systemd.Take());
    }

    [Fact]
    public async Task Withholds_the_watchdog_while_the_health_check_finds_the_agent_unhealthy()
    {
        var unhealthy = true;
        var watchdog = new SystemdWatchdog(_systemd, _liveness, () => true, _time, NullLogger<SystemdWatchdog>.Instance, Period,
            health: _ => new EdgeAgent.Observability.HealthReport(_time.GetUtcNow(), unhealthy
                ? [new EdgeAgent.Observability.HealthProblem(EdgeAgent.Observability.HealthCodes.NoDeviceRead, EdgeAgent.Observability.HealthSeverity.Unhealthy, "no device has been read for 00:01:00")]
                : [new EdgeAgent.Observability.HealthProblem(EdgeAgent.Observability.HealthCodes.NoUplink, EdgeAgent.Observability.HealthSeverity.Warning, "no uplink is configured")]));
        using (watchdog)
        {
            await watchdog.StartedAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal(["STATUS=Unhealthy: no device has been read for 00:01:00; watchdog not fed"], _systemd.Take());
            unhealthy = false; // a warning alone does not withhold it: a restart would not configure an uplink
            _time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal([SystemdWatchdog.HealthyStatus, "WATCHDOG=1"], _systemd.Take());
        }
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        private readonly List<string> _states = [];

        public bool IsEnabled { get; set; } = true;

        public void Notify(ServiceState state)
        {
            lock (_states) _states.Add(state.ToString());
        }

        public List<string> Take()
        {
            lock (_states)
            {
                var taken = _states.ToList();
                _states.Clear();
                return taken;
            }
        }
    }
}
