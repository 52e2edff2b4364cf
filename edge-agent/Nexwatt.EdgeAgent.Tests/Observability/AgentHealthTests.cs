using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.EdgeAgent.Observability;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Observability;

/// <summary>What makes the agent unhealthy, on a fake clock with a real buffer file.</summary>
public sealed class AgentHealthTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nexwatt-health-tests", Guid.NewGuid().ToString("N"));
    private readonly AgentOptions _options;
    private readonly ReadingBuffer _buffer;
    private readonly BufferingReadingSink _sink;
    private readonly DeviceHealthBoard _devices = new();
    private readonly UplinkStatus _uplink;
    private readonly AgentLiveness _liveness;
    private readonly AgentHealth _health;

    public AgentHealthTests()
    {
        _options = new AgentOptions
        {
            SiteId = "site-h",
            DefaultPollInterval = TimeSpan.FromSeconds(5),
            Devices = [new DeviceOptions { Id = "inv", Host = "127.0.0.1" }],
            Buffer = new BufferOptions { Path = Path.Combine(_folder, "buffer.db") },
        };
        _options.Uplink.Grpc.Enabled = true;
        _options.Uplink.Grpc.Address = "https://collector.example:7443";
        // The buffer commits on its own real clock; health reads the readings' source times against the fake one.
        _buffer = ReadingBuffer.Open(_options.Buffer, TimeProvider.System, NullLogger.Instance, requireOpen: true);
        _sink = new BufferingReadingSink(_buffer, Options.Create(_options), NullLogger<BufferingReadingSink>.Instance);
        _uplink = new UplinkStatus(_time);
        _liveness = new AgentLiveness(_time);
        _devices.Set(new DeviceHealth("inv", false, 0, null, "not polled yet", 0, 0)); // as its poller does when it starts
        _health = new AgentHealth(Options.Create(_options), _devices, _buffer, _sink, _uplink, _liveness, _time);
    }

    [Fact]
    public void A_fresh_agent_is_healthy_but_not_ready_until_its_uplink_delivered()
    {
        var report = _health.Evaluate();
        Assert.True(report.Alive);
        Assert.True(report.Healthy);
        Assert.False(report.Ready);
        Assert.Equal([HealthCodes.UplinkNeverConnected], report.Problems.Select(p => p.Code));

        _uplink.Delivered();
        Assert.True(_health.Evaluate().Ready);
    }

    [Fact]
    public void No_device_read_for_three_intervals_is_unhealthy_and_one_good_read_clears_it()
    {
        _uplink.Delivered();
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.True(_health.Evaluate().Healthy);

        _time.Advance(TimeSpan.FromSeconds(2));
        var report = _health.Evaluate();
        var problem = Assert.Single(report.Problems);
        Assert.Equal(HealthCodes.NoDeviceRead, problem.Code);
        Assert.Equal(HealthSeverity.Unhealthy, problem.Severity);
        Assert.False(report.Healthy);
        Assert.True(report.Alive, "a site whose devices are all off is not a hung agent");

        _devices.Set(new DeviceHealth("inv", true, 0, _time.GetUtcNow(), null, 1, 0));
        Assert.True(_health.Evaluate().Ready);
    }

    [Fact]
    public async Task An_uplink_that_delivers_nothing_for_ten_minutes_while_readings_wait_is_unhealthy()
    {
        _uplink.Delivered();
        await _sink.WriteAsync(Poll(), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(9));
        Read();
        Assert.True(_health.Evaluate().Ready);

        _time.Advance(TimeSpan.FromMinutes(2));
        Read();
        var report = _health.Evaluate();
        Assert.Equal(HealthCodes.UplinkStalled, Assert.Single(report.Problems).Code);
        Assert.False(report.Healthy);

        _uplink.Delivered();
        Assert.True(_health.Evaluate().Healthy);
    }

    [Fact]
    public void Without_any_uplink_the_agent_says_so_as_a_warning()
    {
        _options.Uplink.Grpc.Enabled = false;
        var report = _health.Evaluate();
        var problem = Assert.Single(report.Problems);
        Assert.Equal(HealthCodes.NoUplink, problem.Code);
        Assert.Equal(HealthSeverity.Warning, problem.Severity);
        Assert.Contains("Agent:Uplink", problem.Message);
        Assert.True(report.Healthy);
        Assert.False(report.Ready);
    }

    [Fact]
    public async Task A_buffer_near_its_bound_is_unhealthy()
    {
        _uplink.Delivered();
        await _sink.WriteAsync(Poll(), CancellationToken.None);
        await _buffer.FlushAsync(CancellationToken.None);
        var size = _buffer.GetStatistics().BytesOnDisk;
        _options.Buffer.MaxBytes = size * 100 / 95;
        Assert.Equal(HealthCodes.BufferNearlyFull, Assert.Single(_health.Evaluate().Problems).Code);

        _options.Buffer.MaxBytes = size * 2;
        Assert.Empty(_health.Evaluate().Problems);
    }

    [Fact]
    public void A_loop_overdue_past_the_grace_makes_the_agent_not_alive()
    {
        _uplink.Delivered();
        using var beat = _liveness.Register("the poller of inv");
        beat.Beat(TimeSpan.FromSeconds(5));
        _devices.Set(new DeviceHealth("inv", true, 0, _time.GetUtcNow(), null, 1, 0));
        _time.Advance(TimeSpan.FromSeconds(10));
        var report = _health.Evaluate(loopGrace: TimeSpan.FromSeconds(2));
        Assert.False(report.Alive);
        Assert.Equal(HealthCodes.LoopStalled, Assert.Single(report.Problems).Code);
    }

    [Fact]
    public void Each_problem_is_logged_once_when_it_appears_and_once_when_it_clears()
    {
        var log = new Buffer.ListLogger();
        var changes = new HealthChangeLog(_health, _time, log);
        changes.Check();
        changes.Check();
        Assert.Equal(["Warning 2603 Warning (uplink_never_connected): the grpc uplink has not delivered anything since start"], Lines(log));

        _uplink.Delivered();
        changes.Check();
        _time.Advance(TimeSpan.FromSeconds(16));
        changes.Check();
        changes.Check();
        Assert.Equal(["Information 2604 Cleared (uplink_never_connected)", "Warning 2602 Unhealthy (no_device_read): no device has been read for 00:00:16 (3 poll intervals are 00:00:15)"],
            Lines(log).Skip(1));
    }

    private static IEnumerable<string> Lines(Buffer.ListLogger log) => log.Entries.Select(e => $"{e.Level} {e.Id.Id} {e.Message}");

    private void Read() => _devices.Set(new DeviceHealth("inv", true, 0, _time.GetUtcNow(), null, 1, 0));

    private DeviceReadings Poll() => new("site-h", "inv", _time.GetUtcNow(),
        [new Reading("inv", 0, 0, "ActivePowerW", 1200, null, "W", ReadingQuality.Good, _time.GetUtcNow())]);

    public async ValueTask DisposeAsync()
    {
        await _buffer.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
