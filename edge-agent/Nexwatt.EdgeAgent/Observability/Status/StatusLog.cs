using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Observability.Status;

/// <summary>Log messages of the status socket: event ids 2610-2619 (of observability's 2600-2699).</summary>
internal static partial class StatusLog
{
    [LoggerMessage(2610, LogLevel.Information, "Status at {Path} (nexwatt-agent status)")]
    public static partial void Listening(ILogger logger, string path);

    [LoggerMessage(2611, LogLevel.Information, "The status socket cannot be made at {Path} ({Reason}); trying the next place")]
    public static partial void FallingBack(ILogger logger, string path, string reason);

    [LoggerMessage(2612, LogLevel.Warning, "No status socket: {Reason} (set Agent:StatusSocket; \"\" turns it off)")]
    public static partial void Unavailable(ILogger logger, string reason);
}
