using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Discovery.Enphase;

/// <summary>Log messages of the Enphase scan (event ids 2260-2269, inside discovery's 22xx range).</summary>
internal static partial class EnphaseScanLog
{
    [LoggerMessage(2260, LogLevel.Information, "Discovery: found Enphase IQ Gateway at {Url} serial {Serial} firmware {Firmware} (by {FoundBy})")]
    public static partial void Found(ILogger logger, string url, string serial, string firmware, string foundBy);

    [LoggerMessage(2261, LogLevel.Warning, "Discovery: mDNS query to {Target} failed ({Reason}); only /info probes are used")]
    public static partial void MdnsUnavailable(ILogger logger, string target, string reason);

    [LoggerMessage(2262, LogLevel.Debug, "Discovery: {Count} malformed mDNS datagram(s) ignored")]
    public static partial void MdnsMalformed(ILogger logger, int count);
}
