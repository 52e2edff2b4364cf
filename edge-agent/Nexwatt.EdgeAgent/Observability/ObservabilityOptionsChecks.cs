using System.Net;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>Start-time checks of Agent:Metrics and Agent:Health, reported with the rest of the configuration's problems.</summary>
internal static class ObservabilityOptionsChecks
{
    public static void AddProblems(AgentOptions options, List<string> problems)
    {
        var metrics = options.Metrics;
        if (metrics.Port is < 0 or > 65535)
            problems.Add($"Agent:Metrics:Port {metrics.Port} is out of range (1-65535, or 0 to turn the endpoint off).");
        if (metrics.Port != 0 && !IPAddress.TryParse(metrics.Address, out _))
            problems.Add($"Agent:Metrics:Address '{metrics.Address}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface).");
        var health = options.Health;
        if (health.StaleDeviceIntervals < 1)
            problems.Add($"Agent:Health:StaleDeviceIntervals {health.StaleDeviceIntervals} must be at least 1.");
        if (health.UplinkStallAfter < TimeSpan.FromMinutes(1))
            problems.Add($"Agent:Health:UplinkStallAfter {health.UplinkStallAfter} is below one minute (e.g. \"10m\").");
        if (health.BufferNearlyFullPercent is < 50 or > 100)
            problems.Add($"Agent:Health:BufferNearlyFullPercent {health.BufferNearlyFullPercent} is out of range (50-100).");
    }
}
