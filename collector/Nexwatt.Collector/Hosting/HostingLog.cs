namespace Nexwatt.Collector.Hosting;

/// <summary>The host's log messages (event ids 5900-5919).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(5900, LogLevel.Warning, "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(5901, LogLevel.Error, "Collector unhealthy: {Reason}; the systemd watchdog is no longer fed")]
    public static partial void WatchdogWithheld(ILogger logger, string reason);

    [LoggerMessage(5902, LogLevel.Information, "Collector healthy again: the store answers and the interval worker keeps up; the systemd watchdog is fed again")]
    public static partial void WatchdogResumed(ILogger logger);
}
