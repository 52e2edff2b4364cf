namespace Nexwatt.Protocols.Grpc;

/// <summary>Per-call settings.</summary>
public sealed class GrpcCallOptions
{
    /// <summary>
    /// When the call must be over, on the client's <see cref="GrpcClientOptions.TimeProvider"/>. Sent as grpc-timeout and
    /// enforced locally: past it the call fails with DeadlineExceeded and the HTTP/2 stream is reset. Null: no deadline.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Request metadata (e.g. "authorization").</summary>
    public GrpcMetadata? Headers { get; init; }

    /// <summary>Overrides <see cref="GrpcClientOptions.RequestCompression"/> for this call.</summary>
    public GrpcCompression? RequestCompression { get; init; }
}
