using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>Log messages of the metrics endpoint, health and status: event ids 2600-2699.</summary>
internal static partial class ObservabilityLog
{
    [LoggerMessage(2600, LogLevel.Information, "Metrics at {Address}metrics, health at {Address}healthz and {Address}readyz")]
    public static partial void EndpointListening(ILogger logger, string address);

    [LoggerMessage(2601, LogLevel.Warning, "The metrics endpoint cannot listen on {Prefix}: {Reason}; the agent goes on without it (set Agent:Metrics:Port, 0 turns it off)")]
    public static partial void EndpointUnavailable(ILogger logger, string prefix, string reason);
}
