using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Ingest;

/// <summary>Ingest log messages, event ids 5000-5099. No token or certificate detail beyond the site id.</summary>
internal static partial class IngestLog
{
    [LoggerMessage(5000, LogLevel.Debug, "Site {SiteId}: {Received} reading(s), {Stored} new, {Duplicates} duplicate, {Unattributed} from unregistered devices, {Gaps} gap(s), historical {Historical}")]
    public static partial void BatchIngested(Microsoft.Extensions.Logging.ILogger logger, string siteId, int received, int stored, int duplicates, int unattributed, int gaps, bool historical);

    [LoggerMessage(5001, LogLevel.Warning, "Interval aggregation failed; retrying next tick")]
    public static partial void AggregationFailed(Microsoft.Extensions.Logging.ILogger logger, Exception exception);

    [LoggerMessage(5002, LogLevel.Warning, "Refused telemetry from {Peer}: {Reason}")]
    public static partial void Refused(Microsoft.Extensions.Logging.ILogger logger, string peer, string reason);

    [LoggerMessage(5003, LogLevel.Warning, "Site {SiteId} sent a batch naming site '{PayloadSite}'; refused (a site writes only its own data)")]
    public static partial void ForeignSite(Microsoft.Extensions.Logging.ILogger logger, string siteId, string payloadSite);

    [LoggerMessage(5004, LogLevel.Warning, "Rejected a batch from site {SiteId}: {Reason}")]
    public static partial void Rejected(Microsoft.Extensions.Logging.ILogger logger, string siteId, string reason);

    [LoggerMessage(5006, LogLevel.Warning, "Refused an MQTT message ({Reason}) from {Site}: {Detail}; acknowledged and dropped ({Suppressed} more from it since the last line, {Count} so far for this reason)")]
    public static partial void MqttRefused(Microsoft.Extensions.Logging.ILogger logger, string reason, string site, string detail, long suppressed, long count);

    [LoggerMessage(5005, LogLevel.Error, "Could not store the MQTT batch from {Topic} (attempt {Attempt}); it stays unacknowledged at the broker and ingest waits {DelaySeconds} s to retry it")]
    public static partial void StoreFailed(Microsoft.Extensions.Logging.ILogger logger, string topic, int attempt, double delaySeconds, Exception exception);
}
