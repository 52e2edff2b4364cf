using Nexwatt.Protocols.Grpc.Client;

namespace Nexwatt.Protocols.Grpc;

/// <summary>The client's side of a client-streaming or duplex call: write messages, then complete.</summary>
/// <typeparam name="T">The request message type.</typeparam>
public sealed class GrpcRequestStream<T> : IGrpcStreamWriter<T>
{
    private readonly IGrpcRequestSink<T> _sink;

    internal GrpcRequestStream(IGrpcRequestSink<T> sink) => _sink = sink;

    /// <summary>
    /// Sends one message. Canceling <paramref name="cancellationToken"/> cancels the whole call. A write after the server
    /// ended the call fails (Unavailable unless the status is known); the response side then carries the server's status.
    /// </summary>
    /// <exception cref="GrpcException">The call failed, or the message is over the send limit (ResourceExhausted).</exception>
    /// <exception cref="InvalidOperationException">A write is already in progress, or the stream was completed.</exception>
    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default) => _sink.WriteAsync(message, cancellationToken);

    /// <summary>Ends the request stream (HTTP/2 END_STREAM); the server sees the end of its request messages.</summary>
    public Task CompleteAsync() => _sink.CompleteAsync();
}
