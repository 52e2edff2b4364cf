using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Grpc.Client;

namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// Calls gRPC methods on one server over an <see cref="HttpClient"/> (HTTP/2 only: Version 2.0, RequestVersionExact).
/// For "http://" addresses that is cleartext HTTP/2 with prior knowledge (h2c); for "https://" TLS with ALPN h2,
/// configured on the handler (see <see cref="GrpcHttpHandlers"/> for mutual TLS from PEM files). Thread-safe; the
/// <see cref="HttpClient"/> stays the caller's.
/// <code>
/// using var http = new HttpClient(GrpcHttpHandlers.CreateMutualTls(caPem, clientPem, keyPem));
/// var client = new GrpcClient(http, new Uri("https://collector.example:8443"));
/// await using var call = client.DuplexStreaming(upload, new GrpcCallOptions { Deadline = ... }, stoppingToken);
/// </code>
/// </summary>
public sealed class GrpcClient
{
    /// <summary>Creates a client for the server at <paramref name="address"/> (scheme, host and port; any path is ignored).</summary>
    public GrpcClient(HttpClient httpClient, Uri address, GrpcClientOptions? options = null, ILogger<GrpcClient>? logger = null)
    {
        HttpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("The address must be an absolute http:// or https:// URI.", nameof(address));
        Address = address;
        Options = options ?? new GrpcClientOptions();
        Options.Validate();
        Logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The server's address.</summary>
    public Uri Address { get; }

    internal HttpClient HttpClient { get; }

    internal GrpcClientOptions Options { get; }

    internal ILogger Logger { get; }

    /// <summary>One request, one response.</summary>
    /// <exception cref="GrpcException">Any status other than OK (from the server, or synthesized: deadline, HTTP error, connection).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled (the stream is reset).</exception>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        Expect(method, GrpcMethodType.Unary);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options, cancellationToken);
        await using (call.ConfigureAwait(false))
        {
            call.Start();
            await SendSingleAsync(call, request).ConfigureAwait(false);
            return await ReadSingleAsync(call, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a call that sends one request and reads a stream of responses.</summary>
    public GrpcServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        Expect(method, GrpcMethodType.ServerStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options, cancellationToken);
        call.Start();
        _ = SendSingleAsync(call, request); // never faults: a failed send shows on the response side
        return new GrpcServerStreamingCall<TResponse>(call, call, call.Trailers, call.ResponseHeadersAsync);
    }

    /// <summary>Starts a call that streams requests and reads one response.</summary>
    public GrpcClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, GrpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        Expect(method, GrpcMethodType.ClientStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options, cancellationToken);
        call.Start();
        return new GrpcClientStreamingCall<TRequest, TResponse>(call);
    }

    /// <summary>Starts a duplex call: requests and responses stream independently.</summary>
    public GrpcDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, GrpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        Expect(method, GrpcMethodType.DuplexStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options, cancellationToken);
        call.Start();
        return new GrpcDuplexStreamingCall<TRequest, TResponse>(call);
    }

    internal static async Task<TResponse> ReadSingleAsync<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, CancellationToken cancellationToken)
    {
        var (hasMessage, message) = await call.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (!hasMessage) throw new GrpcException(GrpcStatusCode.Internal, "The server ended the call with OK but sent no response message.");
        var (more, _) = await call.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (more)
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw new GrpcException(GrpcStatusCode.Internal, "The server sent more than one response message for a single-response call.");
        }
        return message;
    }

    private static async Task SendSingleAsync<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, TRequest request)
    {
        try
        {
            await call.WriteAsync(request, CancellationToken.None).ConfigureAwait(false);
            await call.CompleteAsync().ConfigureAwait(false);
        }
        catch (GrpcException ex) when (ex.StatusCode == GrpcStatusCode.ResourceExhausted)
        {
            await call.FailAsync(ex).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The call already failed (deadline, cancel, connection); reading the response reports why.
        }
    }

    private static void Expect<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, GrpcMethodType type)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != type) throw new ArgumentException($"{method.Path} is a {method.Type} method, not {type}.", nameof(method));
    }
}
