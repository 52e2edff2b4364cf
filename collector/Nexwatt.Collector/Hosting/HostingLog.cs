namespace Nexwatt.Collector.Hosting;

/// <summary>The host's log messages (event ids 5900-5919).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(5900, LogLevel.Warning, "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);
}
