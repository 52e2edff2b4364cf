using Microsoft.Extensions.Logging;
using Grpc.Core;

namespace Nexwatt.Collector.Ingest;

// Event ids 5090-5099 of the ingest range: refusals of request messages and the first sight of a site.
internal static partial class IngestLog
{
    [LoggerMessage(5090, LogLevel.Warning, "Refused a gRPC message from {Caller} on {Method} ({Status}): {Reason}; {HeldBack} earlier refusal(s) from this caller held back from the log")]
    public static partial void MessageRefused(ILogger logger, string caller, string method, StatusCode status, string reason, int heldBack);

    [LoggerMessage(5091, LogLevel.Information, "Site {SiteId}: first telemetry since start ({Readings} reading(s), {Stored} new)")]
    public static partial void FirstTelemetry(ILogger logger, string siteId, int readings, int stored);

    [LoggerMessage(5092, LogLevel.Information, "Site {SiteId}: upload stream closed after {IdleTimeout} without a batch")]
    public static partial void UploadIdle(ILogger logger, string siteId, TimeSpan idleTimeout);
}
