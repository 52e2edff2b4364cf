using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>The uplink's log messages, event ids 2400-2499. Credentials never appear in them.</summary>
internal static partial class UplinkLog
{
    [LoggerMessage(2400, LogLevel.Information, "MQTT uplink to {Endpoint} as {ClientId} (MQTT {Version}, TLS {Tls}), topics under {Prefix}")]
    public static partial void Starting(ILogger logger, string endpoint, string clientId, string version, bool tls, string prefix);

    [LoggerMessage(2401, LogLevel.Information, "Uplink session started: live readings from sequence {LiveStart}")]
    public static partial void SessionStarted(ILogger logger, ulong liveStart);

    [LoggerMessage(2402, LogLevel.Warning, "Uplink session ended: {Reason}; readings stay buffered until the next session")]
    public static partial void SessionEnded(ILogger logger, string reason);

    [LoggerMessage(2403, LogLevel.Information, "Backfill: replaying about {Readings} buffered reading(s) at up to {Rate} per second")]
    public static partial void BackfillStarted(ILogger logger, ulong readings, int rate);

    [LoggerMessage(2404, LogLevel.Information, "Backfill drained: {Readings} historical reading(s) delivered")]
    public static partial void BackfillDrained(ILogger logger, long readings);

    [LoggerMessage(2405, LogLevel.Warning, "Announced a gap upstream: sequences {First}-{Last}, {Lost} reading(s) evicted before delivery")]
    public static partial void GapAnnounced(ILogger logger, ulong first, ulong last, ulong lost);



    [LoggerMessage(2409, LogLevel.Error, "The MQTT broker refuses this site ({Reason}); readings stay buffered; trying again in {RetryIn}")]
    public static partial void Refused(ILogger logger, string reason, TimeSpan retryIn);

    [LoggerMessage(2410, LogLevel.Error, "The collector refused sequences {First}-{Last} ({Readings} readings) for good and they are dropped: {Reason}")]
    public static partial void BatchRejected(ILogger logger, ulong first, ulong last, int readings, string reason);

    [LoggerMessage(2411, LogLevel.Information, "gRPC uplink to {Address} (TLS {Tls}, identity {Identity})")]
    public static partial void GrpcStarting(ILogger logger, string address, bool tls, string identity);

    [LoggerMessage(2412, LogLevel.Debug, "Sequences {First}-{Last} ({Bytes} bytes) go as {Parts} messages of at most {MaxBytes} bytes")]
    public static partial void BatchSplit(ILogger logger, ulong first, ulong last, int bytes, int parts, int maxBytes);

    [LoggerMessage(2413, LogLevel.Error, "Reading {Sequence} ({DeviceId} {Point}, {Bytes} bytes) is larger than any message the uplink carries ({MaxBytes} bytes) and is dropped")]
    public static partial void ReadingTooLarge(ILogger logger, ulong sequence, string deviceId, string point, int bytes, int maxBytes);

    [LoggerMessage(2414, LogLevel.Error, "The gap announcement {First}-{Last} ({Bytes} bytes) is larger than any message the uplink carries ({MaxBytes} bytes) and is dropped")]
    public static partial void GapTooLarge(ILogger logger, ulong first, ulong last, int bytes, int maxBytes);
    [LoggerMessage(2415, LogLevel.Error, "The collector refuses this site's upload ({Status}); readings stay buffered; trying again in {RetryIn}")]
    public static partial void GrpcRefused(ILogger logger, string status, TimeSpan retryIn);

    [LoggerMessage(2408, LogLevel.Error, "The MQTT uplink cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);
}
