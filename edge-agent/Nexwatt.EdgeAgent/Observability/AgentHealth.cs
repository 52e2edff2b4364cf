using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.EdgeAgent.Polling;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>One thing wrong with the agent, with a stable code for scripts and a sentence for people.</summary>
/// <param name="Severity">Unhealthy withholds the systemd watchdog and fails /readyz; Warning only fails /readyz.</param>
internal sealed record HealthProblem(string Code, HealthSeverity Severity, string Message);

internal enum HealthSeverity
{
    Warning,
    Unhealthy,
}

/// <summary>The agent's health at one moment: alive (its loops progress), ready (nothing wrong), and why not.</summary>
internal sealed record HealthReport(DateTimeOffset At, IReadOnlyList<HealthProblem> Problems)
{
    /// <summary>Liveness (/healthz): no loop has stalled and the buffer stores what is read.</summary>
    public bool Alive => !Problems.Any(p => p.Code is HealthCodes.LoopStalled or HealthCodes.BufferUnwritable);

    /// <summary>Nothing that a restart by the watchdog is meant for.</summary>
    public bool Healthy => !Problems.Any(p => p.Severity == HealthSeverity.Unhealthy);

    /// <summary>Readiness (/readyz): no problem at all, warnings included.</summary>
    public bool Ready => Problems.Count == 0;
}

internal static class HealthCodes
{
    public const string LoopStalled = "loop_stalled";
    public const string BufferUnwritable = "buffer_unwritable";
    public const string BufferNearlyFull = "buffer_nearly_full";
    public const string NoDeviceRead = "no_device_read";
    public const string UplinkStalled = "uplink_stalled";
    public const string NoUplink = "no_uplink_configured";
    public const string UplinkNeverConnected = "uplink_never_connected";
}

/// <summary>
/// Decides whether the agent is healthy, from what its parts already know: the device board, the buffer and its sink,
/// the uplink status and the loops' heartbeats. The thresholds are Agent:Health. One evaluation serves /healthz,
/// /readyz, the status command and the systemd watchdog, so they never disagree.
/// </summary>
internal sealed class AgentHealth(IOptions<AgentOptions> options, DeviceHealthBoard devices, ReadingBuffer buffer, BufferingReadingSink sink,
    UplinkStatus uplink, AgentLiveness liveness, TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <param name="loopGrace">How late a loop may be before it counts as stalled (the watchdog passes half its period).</param>
    public HealthReport Evaluate(TimeSpan? loopGrace = null)
    {
        var agent = options.Value;
        var health = agent.Health;
        var now = time.GetUtcNow();
        var problems = new List<HealthProblem>();

        if (liveness.FindStalled(loopGrace ?? TimeSpan.FromSeconds(30)) is { } stalled)
            problems.Add(new(HealthCodes.LoopStalled, HealthSeverity.Unhealthy, $"{stalled} has made no progress"));
        if (!sink.IsHealthy)
            problems.Add(new(HealthCodes.BufferUnwritable, HealthSeverity.Unhealthy,
                $"the reading buffer cannot store readings ({sink.ReadingsHeld} held in memory, retrying)"));

        var statistics = buffer.GetStatistics();
        var nearlyFull = agent.Buffer.MaxBytes / 100 * health.BufferNearlyFullPercent;
        if (statistics.BytesOnDisk >= nearlyFull)
            problems.Add(new(HealthCodes.BufferNearlyFull, HealthSeverity.Unhealthy,
                $"the buffer uses {statistics.BytesOnDisk} of {agent.Buffer.MaxBytes} bytes; the oldest readings are evicted at the limit"));

        var stale = StaleAfter(agent);
        var board = devices.Snapshot();
        var lastRead = board.Select(d => d.LastSuccess).Max() ?? _started;
        if (board.Count > 0 && now - lastRead > stale)
            problems.Add(new(HealthCodes.NoDeviceRead, HealthSeverity.Unhealthy,
                $"no device has been read for {Whole(now - lastRead)} ({health.StaleDeviceIntervals} poll intervals are {Whole(stale)})"));

        var transport = UplinkTransports.Chosen(agent.Uplink);
        if (transport == UplinkTransports.None)
            problems.Add(new(HealthCodes.NoUplink, HealthSeverity.Warning,
                "no uplink is configured (Agent:Uplink:Grpc or Agent:Uplink:Mqtt): readings stay in the buffer and are evicted when it is full"));
        else if (!uplink.EverConnected)
            problems.Add(new(HealthCodes.UplinkNeverConnected, HealthSeverity.Warning, $"the {transport} uplink has not delivered anything since start"));

        var lastDelivery = uplink.LastDelivery ?? _started;
        if (now - lastDelivery > health.UplinkStallAfter && statistics.ReadingsBuffered > 0 && statistics.OldestTimeUs is { } oldest
            && Protos.WireTime.FromMicroseconds(oldest) < now - health.UplinkStallAfter)
            problems.Add(new(HealthCodes.UplinkStalled, HealthSeverity.Unhealthy,
                $"the uplink has delivered nothing for {Whole(now - lastDelivery)} while {statistics.ReadingsBuffered} readings wait in the buffer"));

        return new HealthReport(now, problems);
    }

    /// <summary>N intervals of the slowest device: a device polled once a minute is not stale after 15 s.</summary>
    private static TimeSpan StaleAfter(AgentOptions agent)
    {
        var slowest = agent.Devices.Select(d => d.PollInterval ?? agent.DefaultPollInterval).DefaultIfEmpty(agent.DefaultPollInterval).Max();
        return slowest * agent.Health.StaleDeviceIntervals;
    }

    private static string Whole(TimeSpan span) => TimeSpan.FromSeconds(Math.Round(span.TotalSeconds)).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}
