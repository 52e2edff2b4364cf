using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

internal static partial class EnphaseLog
{
    [LoggerMessage(2700, LogLevel.Information, "{DeviceId}: Enphase gateway serial {Serial}, firmware {Firmware}, {Auth}; endpoints {Endpoints}")]
    public static partial void Connected(ILogger logger, string deviceId, string serial, string firmware, string auth, string endpoints);

    [LoggerMessage(2701, LogLevel.Warning, "{DeviceId}: pinned the gateway certificate SHA-256 {Fingerprint} on first use in {PinFile}")]
    public static partial void Pinned(ILogger logger, string deviceId, string fingerprint, string pinFile);

    [LoggerMessage(2702, LogLevel.Warning, "{DeviceId}: the Enphase token ({Token}) expires within 30 days; obtain a new one before it does")]
    public static partial void TokenNearExpiry(ILogger logger, string deviceId, string token);

    [LoggerMessage(2703, LogLevel.Error, "{DeviceId}: the Enphase token ({Token}) has expired; the gateway will refuse it")]
    public static partial void TokenExpired(ILogger logger, string deviceId, string token);

    [LoggerMessage(2705, LogLevel.Information, "{DeviceId}: renewed the Enphase token through Enlighten ({Token})")]
    public static partial void TokenRenewed(ILogger logger, string deviceId, string token);

    [LoggerMessage(2704, LogLevel.Debug, "{DeviceId}: microinverter read skipped: {Reason}")]
    public static partial void InvertersSkipped(ILogger logger, string deviceId, string reason);
}
