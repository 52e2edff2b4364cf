using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Api;

// Event ids 4300-4399: management API.
internal static partial class ApiLog
{
    [LoggerMessage(4300, LogLevel.Error, "Management API request {Method} {Path} failed (trace id {TraceId})")]
    public static partial void Failed(ILogger logger, string method, string path, string traceId, Exception exception);
}
