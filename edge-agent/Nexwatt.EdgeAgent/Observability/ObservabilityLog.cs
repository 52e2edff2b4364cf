using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>Log messages of the metrics endpoint, health and status: event ids 2600-2699.</summary>
internal static partial class ObservabilityLog
{
    [LoggerMessage(2600, LogLevel.Information, "Metrics at {Address}metrics, health at {Address}healthz and {Address}readyz")]
    public static partial void EndpointListening(ILogger logger, string address);

    [LoggerMessage(2601, LogLevel.Warning, "The metrics endpoint cannot listen on {Prefix}: {Reason}; the agent goes on without it (set Agent:Metrics:Port, 0 turns it off)")]
    public static partial void EndpointUnavailable(ILogger logger, string prefix, string reason);

    [LoggerMessage(2602, LogLevel.Warning, "Unhealthy ({Code}): {Message}")]
    public static partial void Unhealthy(ILogger logger, string code, string message);

    [LoggerMessage(2603, LogLevel.Warning, "Warning ({Code}): {Message}")]
    public static partial void HealthWarning(ILogger logger, string code, string message);

    [LoggerMessage(2604, LogLevel.Information, "Cleared ({Code})")]
    public static partial void ProblemCleared(ILogger logger, string code);
}
