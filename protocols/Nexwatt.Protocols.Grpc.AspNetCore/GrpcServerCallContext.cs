using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Nexwatt.Protocols.Grpc.AspNetCore.Internal;

namespace Nexwatt.Protocols.Grpc.AspNetCore;

/// <summary>
/// What a handler knows about its call: the HTTP context (connection, client certificate, headers, services),
/// the deadline, a token that fires when the client goes away or the deadline passes, and the metadata and
/// status to send back.
/// </summary>
public sealed class GrpcServerCallContext
{
    private readonly GrpcServerCall _call;

    internal GrpcServerCallContext(GrpcServerCall call) => _call = call;

    /// <summary>The ASP.NET Core context of the call (e.g. <c>HttpContext.RequestServices</c>, <c>HttpContext.User</c>).</summary>
    public HttpContext HttpContext => _call.HttpContext;

    /// <summary>The method path, "/package.Service/Method".</summary>
    public string Method => _call.MethodPath;

    /// <summary>The client's deadline (from grpc-timeout, on the server's clock); null when it sent none.</summary>
    public DateTimeOffset? Deadline => _call.Deadline;

    /// <summary>Canceled when the client resets or disconnects, or the deadline passes.</summary>
    public CancellationToken CancellationToken => _call.CancellationToken;

    /// <summary>The request's custom metadata (e.g. "authorization"); gRPC's own headers excluded.</summary>
    public GrpcMetadata RequestHeaders => _call.RequestHeaders;

    /// <summary>Metadata for the response headers; change it before the first message (or <see cref="WriteResponseHeadersAsync"/>).</summary>
    public GrpcMetadata ResponseHeaders => _call.ResponseHeaders;

    /// <summary>Metadata sent in the trailers, with the status.</summary>
    public GrpcMetadata ResponseTrailers => _call.ResponseTrailers;

    /// <summary>The certificate the client presented in the TLS handshake (mutual TLS), or null.</summary>
    public X509Certificate2? ClientCertificate => HttpContext.Connection.ClientCertificate;

    /// <summary>"ip:port" of the client.</summary>
    public string Peer => $"{HttpContext.Connection.RemoteIpAddress}:{HttpContext.Connection.RemotePort}";

    /// <summary>The status sent when the handler returns normally (default OK).</summary>
    public GrpcStatusCode Status => _call.Status;

    /// <summary>The status message sent with <see cref="Status"/>.</summary>
    public string StatusMessage => _call.StatusMessage;

    /// <summary>Sets the status sent when the handler returns normally (throwing <see cref="GrpcException"/> does the same and stops the handler).</summary>
    public void SetStatus(GrpcStatusCode status, string? message = null) => _call.SetStatus(status, message);

    /// <summary>Sends the response headers now (otherwise they go with the first message, or with the status).</summary>
    public Task WriteResponseHeadersAsync() => _call.WriteResponseHeadersAsync();
}
