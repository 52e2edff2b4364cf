using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Registry;

// Event ids 4100-4199: asset registry.
internal static partial class Log
{
    [LoggerMessage(4100, LogLevel.Information, "Asset {AssetId} registered in {IsoZone} (new: {Created}, iso_compliant: {IsoCompliant}, telemetry_validated: {TelemetryValidated})")]
    public static partial void Registered(ILogger logger, string assetId, string isoZone, bool created, bool isoCompliant, bool telemetryValidated);

    [LoggerMessage(4101, LogLevel.Information, "Asset registration rejected for {AssetId}: {Problems}")]
    public static partial void Rejected(ILogger logger, string? assetId, string problems);

    [LoggerMessage(4102, LogLevel.Information, "Asset {AssetId} updated")]
    public static partial void Updated(ILogger logger, string assetId);

    [LoggerMessage(4103, LogLevel.Information, "Asset {AssetId} retired")]
    public static partial void Retired(ILogger logger, string assetId);

    [LoggerMessage(4104, LogLevel.Information, "Asset {AssetId} linked to site {SiteId} device {DeviceId}")]
    public static partial void Linked(ILogger logger, string assetId, string siteId, string deviceId);
}
