using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.GrpcHosting;

// Event ids 5300-5309: the site-facing gRPC services.
internal static partial class GrpcHostingLog
{
    [LoggerMessage(5300, LogLevel.Error, "gRPC method {Method} failed")]
    public static partial void ServiceFailed(ILogger logger, string method, Exception exception);
}
