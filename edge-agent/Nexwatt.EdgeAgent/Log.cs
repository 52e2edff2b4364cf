using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Readings;

namespace Nexwatt.EdgeAgent;

/// <summary>The agent's log messages. Event ids: 2000-2099 polling, 2100-2199 readings, 2200-2299 discovery and host.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Polling {DeviceId} at {Endpoint} every {Interval}")]
    public static partial void PollerStarted(ILogger logger, string deviceId, string endpoint, TimeSpan interval);

    [LoggerMessage(2001, LogLevel.Information, "{DeviceId}: SunSpec device {Manufacturer} {Model} (serial {Serial}) at base {BaseAddress}, models {Models}")]
    public static partial void DeviceDiscovered(ILogger logger, string deviceId, string manufacturer, string model, string serial, int baseAddress, string models);

    [LoggerMessage(2002, LogLevel.Warning, "{DeviceId} is unhealthy after {Failures} failed poll(s); next try in {RetryIn}: {Reason}")]
    public static partial void DeviceUnhealthy(ILogger logger, string deviceId, int failures, TimeSpan retryIn, string reason);

    [LoggerMessage(2003, LogLevel.Information, "{DeviceId} is healthy again after {Failures} failed poll(s)")]
    public static partial void DeviceRecovered(ILogger logger, string deviceId, int failures);

    [LoggerMessage(2005, LogLevel.Debug, "{DeviceId}: poll took {ElapsedMs} ms and gave {Count} readings")]
    public static partial void PollCompleted(ILogger logger, string deviceId, double elapsedMs, int count);

    [LoggerMessage(2006, LogLevel.Warning, "{DeviceId}: model {ModelId} at {Address} is unknown to this agent and is skipped; add its JSON definition to Agent:SunSpecModelsFolder to read it")]
    public static partial void UnknownModel(ILogger logger, string deviceId, int modelId, int address);

    [LoggerMessage(2100, LogLevel.Debug, "{DeviceId}: {Count} readings ({Good} good) {Summary}")]
    public static partial void ReadingSummary(ILogger logger, string deviceId, int count, int good, string summary);

    [LoggerMessage(2101, LogLevel.Trace, "Reading site={SiteId} device={DeviceId} model={ModelId} point={Point} value={Value} text={Text} units={Units} quality={Quality} ts={SourceTimestamp:O}")]
    public static partial void ReadingDetail(ILogger logger, string siteId, string deviceId, int modelId, string point, double? value, string? text, string? units, ReadingQuality quality, DateTimeOffset sourceTimestamp);

    [LoggerMessage(2200, LogLevel.Information, "Discovery: probing {Addresses} address(es) x {Ports} port(s) x {Units} unit id(s)")]
    public static partial void DiscoveryStarted(ILogger logger, int addresses, int ports, int units);

    [LoggerMessage(2201, LogLevel.Information, "Discovery: found SunSpec device at {Endpoint} unit {UnitId}: {Manufacturer} {Model}")]
    public static partial void DiscoveryFound(ILogger logger, string endpoint, int unitId, string manufacturer, string model);

    [LoggerMessage(2202, LogLevel.Information, "Discovery finished: {Found} device(s) found")]
    public static partial void DiscoveryFinished(ILogger logger, int found);

    [LoggerMessage(2203, LogLevel.Warning, "No device to poll: none configured and discovery found none")]
    public static partial void NothingToPoll(ILogger logger);

    [LoggerMessage(2205, LogLevel.Warning, "Could not tell systemd {State}")]
    public static partial void SystemdNotifyFailed(ILogger logger, string state, Exception exception);

    [LoggerMessage(2204, LogLevel.Information, "Nexwatt edge agent {Version} started for site {SiteId} with {Devices} device(s)")]
    public static partial void AgentStarted(ILogger logger, string version, string siteId, int devices);

    [LoggerMessage(2206, LogLevel.Warning, "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(2207, LogLevel.Error, "Agent unhealthy: {Reason}; the systemd watchdog is no longer fed")]
    public static partial void WatchdogWithheld(ILogger logger, string reason);

    [LoggerMessage(2208, LogLevel.Information, "Agent healthy again: every loop makes progress and the reading buffer stores readings; the systemd watchdog is fed again")]
    public static partial void WatchdogResumed(ILogger logger);
}
