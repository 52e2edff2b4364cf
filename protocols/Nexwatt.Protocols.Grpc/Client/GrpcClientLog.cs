using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.Grpc.Client;

// Event ids 2500-2539: gRPC client.
internal static partial class GrpcClientLog
{
    [LoggerMessage(EventId = 2500, Level = LogLevel.Trace, Message = "gRPC call {Path} starting (grpc-timeout {Timeout})")]
    public static partial void CallStarting(ILogger logger, string path, string timeout);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Debug, Message = "gRPC call {Path} finished: {Status} {StatusMessage}")]
    public static partial void CallFinished(ILogger logger, string path, GrpcStatusCode status, string statusMessage);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Debug, Message = "gRPC call {Path} failed: {Status} {StatusMessage}")]
    public static partial void CallFailed(ILogger logger, string path, GrpcStatusCode status, string statusMessage);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Debug, Message = "gRPC call {Path} canceled by the caller")]
    public static partial void CallCanceled(ILogger logger, string path);
}
