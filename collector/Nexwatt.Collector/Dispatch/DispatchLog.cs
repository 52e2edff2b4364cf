using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Dispatch;

/// <summary>The dispatch service's log messages: event ids 5200-5299.</summary>
internal static partial class DispatchLog
{
    [LoggerMessage(5200, LogLevel.Information, "Dispatch signing key {How}: key id {KeyId}; public key {PublicKeyFile}")]
    public static partial void SigningKey(ILogger logger, string how, string keyId, string publicKeyFile);

    [LoggerMessage(5201, LogLevel.Information, "Dispatch {DispatchId}: {Direction} {Requested} MW from {ResourceId} ({Zone}), {Start:O} to {End:O}; expected {Expected} MW over {Assets} assets at {Sites} sites")]
    public static partial void Created(ILogger logger, string dispatchId, string direction, double requested, string resourceId, string zone,
        DateTimeOffset start, DateTimeOffset end, double expected, int assets, int sites);

    [LoggerMessage(5202, LogLevel.Information, "Dispatch {DispatchId}: site {SiteId} acknowledged setpoint {SetpointId}: {Result} ({Reason}), measured {MeasuredW} W")]
    public static partial void Acknowledged(ILogger logger, string dispatchId, string siteId, string setpointId, string result, string reason, double measuredW);

    [LoggerMessage(5203, LogLevel.Warning, "Setpoint acknowledgement refused from site {SiteId} for setpoint {SetpointId}: {Problem}")]
    public static partial void AckRefused(ILogger logger, string siteId, string setpointId, string problem);

    [LoggerMessage(5204, LogLevel.Warning, "Dispatch {DispatchId}: site {SiteId} failed ({Reason}); its assets are re-allocated")]
    public static partial void SiteFailed(ILogger logger, string dispatchId, string siteId, string reason);

    [LoggerMessage(5205, LogLevel.Information, "Dispatch {DispatchId}: re-allocated from {FromMw} MW to {ToMw} MW (revision {Revision}), {Setpoints} setpoints issued")]
    public static partial void Reallocated(ILogger logger, string dispatchId, double fromMw, double toMw, int revision, int setpoints);

    [LoggerMessage(5206, LogLevel.Information, "Dispatch {DispatchId} confirmed: {Sites} sites, {Assets} assets, {ConfirmedMw} MW, {Seconds} s after the instruction")]
    public static partial void Confirmed(ILogger logger, string dispatchId, int sites, int assets, double confirmedMw, double seconds);

    [LoggerMessage(5207, LogLevel.Information, "Dispatch {DispatchId}: window ended; settlement report generated")]
    public static partial void Completed(ILogger logger, string dispatchId);

    [LoggerMessage(5208, LogLevel.Error, "Dispatch monitor pass failed; the next pass retries")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(5209, LogLevel.Warning, "Dispatch {DispatchId}: the settlement report could not be generated")]
    public static partial void SettlementFailed(ILogger logger, string dispatchId, Exception exception);

    [LoggerMessage(5210, LogLevel.Information, "Setpoint stream opened by site {SiteId} ({Peer}): {Live} live setpoints sent")]
    public static partial void StreamOpened(ILogger logger, string siteId, string peer, int live);

    [LoggerMessage(5211, LogLevel.Warning, "Setpoint call refused from {Peer}: {Problem}")]
    public static partial void CallRefused(ILogger logger, string peer, string problem);

    [LoggerMessage(5212, LogLevel.Warning, "Dispatch MQTT: {Count} queued setpoint(s) dropped, the queue to the broker was full ({Total} so far); each is re-sent every ResendInterval until acknowledged")]
    public static partial void OutboxDropped(ILogger logger, long count, long total);

    [LoggerMessage(5213, LogLevel.Debug, "Dispatch MQTT: setpoint {SetpointId} not published to {Topic}: {Problem}; the resend covers it")]
    public static partial void PublishFailed(ILogger logger, string setpointId, string topic, string problem);

    [LoggerMessage(5214, LogLevel.Information, "Site {SiteId} says OFFLINE on its MQTT status topic: left out of new dispatches until heard from again; a running dispatch drops it only once its telemetry and acknowledgements stop")]
    public static partial void SiteOffline(ILogger logger, string siteId);

    [LoggerMessage(5215, LogLevel.Error, "{Count} setpoint acknowledgements could not be recorded; the agents answer again when the setpoints are re-sent")]
    public static partial void AcksNotRecorded(ILogger logger, int count, Exception exception);

    [LoggerMessage(5216, LogLevel.Warning, "Setpoint {SetpointId} for site {SiteId} pushed out of its stream's full queue ({Capacity}); it is re-sent until acknowledged")]
    public static partial void SetpointPushedOut(ILogger logger, string setpointId, string siteId, int capacity);
}
