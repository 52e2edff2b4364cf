using Nexwatt.Protocols.Grpc.Client;

namespace Nexwatt.Protocols.Grpc;

/// <summary>A server-streaming call in progress. Dispose it: an unfinished call is then canceled (RST_STREAM).</summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcServerStreamingCall<TResponse> : IAsyncDisposable
{
    private readonly IAsyncDisposable _call;

    internal GrpcServerStreamingCall(IAsyncDisposable call, IGrpcResponseSource<TResponse> source, GrpcMetadata trailers, Task<GrpcMetadata> headers)
    {
        _call = call;
        ResponseStream = new GrpcResponseStream<TResponse>(source);
        Trailers = trailers;
        ResponseHeadersAsync = headers;
    }

    /// <summary>The server's messages.</summary>
    public GrpcResponseStream<TResponse> ResponseStream { get; }

    /// <summary>The response headers' custom metadata, once they arrive.</summary>
    public Task<GrpcMetadata> ResponseHeadersAsync { get; }

    /// <summary>The trailers' custom metadata, filled when the response stream has ended.</summary>
    public GrpcMetadata Trailers { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _call.DisposeAsync();
}

/// <summary>A client-streaming call in progress. Dispose it: an unfinished call is then canceled (RST_STREAM).</summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcClientStreamingCall<TRequest, TResponse> : IAsyncDisposable
{
    private readonly GrpcCall<TRequest, TResponse> _call;
    private readonly Lazy<Task<TResponse>> _response;

    internal GrpcClientStreamingCall(GrpcCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = new GrpcRequestStream<TRequest>(call);
        _response = new Lazy<Task<TResponse>>(() => GrpcClient.ReadSingleAsync(call, CancellationToken.None));
    }

    /// <summary>Write the requests here, then complete it.</summary>
    public GrpcRequestStream<TRequest> RequestStream { get; }

    /// <summary>The single response (and the call's status: a non-OK status is thrown here).</summary>
    public Task<TResponse> ResponseAsync => _response.Value;

    /// <summary>The response headers' custom metadata, once they arrive.</summary>
    public Task<GrpcMetadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The trailers' custom metadata, filled when the call has ended.</summary>
    public GrpcMetadata Trailers => _call.Trailers;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _call.DisposeAsync();
}

/// <summary>
/// A duplex (bidirectional streaming) call in progress: write requests and read responses independently.
/// Dispose it: an unfinished call is then canceled (RST_STREAM).
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcDuplexStreamingCall<TRequest, TResponse> : IAsyncDisposable
{
    private readonly GrpcCall<TRequest, TResponse> _call;

    internal GrpcDuplexStreamingCall(GrpcCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = new GrpcRequestStream<TRequest>(call);
        ResponseStream = new GrpcResponseStream<TResponse>(call);
    }

    /// <summary>Write the requests here; complete it when there are no more.</summary>
    public GrpcRequestStream<TRequest> RequestStream { get; }

    /// <summary>The server's messages.</summary>
    public GrpcResponseStream<TResponse> ResponseStream { get; }

    /// <summary>The response headers' custom metadata, once they arrive.</summary>
    public Task<GrpcMetadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The trailers' custom metadata, filled when the response stream has ended.</summary>
    public GrpcMetadata Trailers => _call.Trailers;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _call.DisposeAsync();
}
