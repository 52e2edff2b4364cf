using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.Grpc.AspNetCore.Internal;

// Event ids 2540-2579: gRPC server glue.
internal static partial class GrpcServerLog
{
    [LoggerMessage(EventId = 2540, Level = LogLevel.Error, Message = "gRPC handler for {Path} threw; the call ends with status Unknown")]
    public static partial void HandlerFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 2541, Level = LogLevel.Debug, Message = "gRPC call {Path} ended with {Status}: {StatusMessage}")]
    public static partial void CallEnded(ILogger logger, string path, GrpcStatusCode status, string statusMessage);

    [LoggerMessage(EventId = 2542, Level = LogLevel.Debug, Message = "gRPC call {Path}: the client went away")]
    public static partial void ClientGone(ILogger logger, string path);

    [LoggerMessage(EventId = 2543, Level = LogLevel.Debug, Message = "gRPC call {Path}: deadline exceeded")]
    public static partial void DeadlineExceeded(ILogger logger, string path);

    [LoggerMessage(EventId = 2544, Level = LogLevel.Warning, Message = "gRPC call {Path} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2545, Level = LogLevel.Error, Message = "gRPC call {Path}: the response cannot carry trailers (not HTTP/2?); the stream is reset")]
    public static partial void TrailersNotSupported(ILogger logger, string path);

    [LoggerMessage(EventId = 2546, Level = LogLevel.Debug, Message = "gRPC call {Path} ignored an invalid grpc-timeout '{Value}'")]
    public static partial void InvalidTimeout(ILogger logger, string path, string value);
}
