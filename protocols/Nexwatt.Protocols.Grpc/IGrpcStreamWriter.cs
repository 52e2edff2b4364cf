namespace Nexwatt.Protocols.Grpc;

/// <summary>Writes messages to one side of a streaming call, one at a time (writes must not overlap).</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IGrpcStreamWriter<in T>
{
    /// <summary>Serializes, frames and sends one message; completes once it is handed to HTTP/2 (flushed).</summary>
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);
}
