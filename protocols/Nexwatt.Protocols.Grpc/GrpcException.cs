namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// A call ended with a status other than OK: the peer's grpc-status / grpc-message, or a status this layer
/// synthesized (HTTP error, broken framing, deadline, lost connection), as PROTOCOL-HTTP2.md asks.
/// Caller cancellation is never a <see cref="GrpcException"/>: it surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class GrpcException : Exception
{
    /// <summary>Creates the exception for a status code and its human-readable message.</summary>
    public GrpcException(GrpcStatusCode statusCode, string? statusMessage = null, Exception? innerException = null)
        : base(Describe(statusCode, statusMessage), innerException)
    {
        StatusCode = statusCode;
        StatusMessage = statusMessage ?? "";
    }

    /// <summary>Creates the exception with the response trailers the status came with.</summary>
    public GrpcException(GrpcStatusCode statusCode, string? statusMessage, GrpcMetadata trailers)
        : this(statusCode, statusMessage) => Trailers = trailers;

    /// <summary>The status code (the grpc-status value).</summary>
    public GrpcStatusCode StatusCode { get; }

    /// <summary>The status message (the decoded grpc-message value); empty when there was none.</summary>
    public string StatusMessage { get; }

    /// <summary>The trailers the peer sent with the status (empty when the status was synthesized locally).</summary>
    public GrpcMetadata Trailers { get; } = new();

    /// <summary>
    /// True when the same call may succeed if retried later: Unavailable (connection failure, server draining),
    /// DeadlineExceeded and Aborted. ResourceExhausted is not transient here: for this layer it means a message
    /// over the size limit, which fails again unchanged.
    /// </summary>
    public bool IsTransient => StatusCode is GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded or GrpcStatusCode.Aborted;

    private static string Describe(GrpcStatusCode statusCode, string? statusMessage)
        => string.IsNullOrEmpty(statusMessage) ? $"gRPC status {statusCode} ({(int)statusCode})." : $"gRPC status {statusCode} ({(int)statusCode}): {statusMessage}";
}
