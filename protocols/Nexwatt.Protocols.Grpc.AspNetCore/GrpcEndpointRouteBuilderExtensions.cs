using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Grpc.AspNetCore.Internal;

namespace Nexwatt.Protocols.Grpc.AspNetCore;

/// <summary>
/// Maps gRPC methods onto Kestrel endpoints (POST /package.Service/Method, HTTP/2). Each returns the endpoint's
/// convention builder, so ASP.NET Core policies (RequireAuthorization, RequireHost...) apply as usual.
/// <code>
/// var upload = ProtobufGrpc.Method&lt;TelemetryBatch, UploadAck&gt;(CollectorReflection.Descriptor, "nexwatt.v1.TelemetryIngest", "Upload");
/// app.MapGrpcDuplexStreaming(upload, async (batches, acks, context) =&gt; { await foreach (var b in batches) await acks.WriteAsync(...); });
/// </code>
/// A handler ends the call with OK by returning, with another status by throwing <see cref="GrpcException"/> (or
/// <see cref="GrpcServerCallContext.SetStatus"/>); any other exception becomes Unknown, logged, its stack trace never sent.
/// </summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps a unary method.</summary>
    public static IEndpointConventionBuilder MapGrpcUnary<TRequest, TResponse>(this IEndpointRouteBuilder endpoints, GrpcMethod<TRequest, TResponse> method,
        Func<TRequest, GrpcServerCallContext, Task<TResponse>> handler, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(endpoints, method, GrpcMethodType.Unary, options, async (m, call) =>
        {
            var request = await m.ReadSingleRequestAsync(call).ConfigureAwait(false);
            var response = await handler(request, call.Context).ConfigureAwait(false);
            if (call.Status == GrpcStatusCode.OK) await call.WriteMessageAsync(response, m.Method.ResponseMarshaller, CancellationToken.None).ConfigureAwait(false);
        });
    }

    /// <summary>Maps a server-streaming method: one request, the handler writes any number of responses.</summary>
    public static IEndpointConventionBuilder MapGrpcServerStreaming<TRequest, TResponse>(this IEndpointRouteBuilder endpoints, GrpcMethod<TRequest, TResponse> method,
        Func<TRequest, IGrpcStreamWriter<TResponse>, GrpcServerCallContext, Task> handler, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(endpoints, method, GrpcMethodType.ServerStreaming, options, async (m, call) =>
        {
            var request = await m.ReadSingleRequestAsync(call).ConfigureAwait(false);
            await handler(request, new ServerStreamWriter<TResponse>(call, m.Method.ResponseMarshaller), call.Context).ConfigureAwait(false);
        });
    }

    /// <summary>Maps a client-streaming method: the handler reads the requests (enumerate once) and returns one response.</summary>
    public static IEndpointConventionBuilder MapGrpcClientStreaming<TRequest, TResponse>(this IEndpointRouteBuilder endpoints, GrpcMethod<TRequest, TResponse> method,
        Func<IAsyncEnumerable<TRequest>, GrpcServerCallContext, Task<TResponse>> handler, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(endpoints, method, GrpcMethodType.ClientStreaming, options, async (m, call) =>
        {
            var response = await handler(m.ReadRequestsAsync(call), call.Context).ConfigureAwait(false);
            if (call.Status == GrpcStatusCode.OK) await call.WriteMessageAsync(response, m.Method.ResponseMarshaller, CancellationToken.None).ConfigureAwait(false);
        });
    }

    /// <summary>Maps a duplex method: the handler reads requests (enumerate once) and writes responses, independently.</summary>
    public static IEndpointConventionBuilder MapGrpcDuplexStreaming<TRequest, TResponse>(this IEndpointRouteBuilder endpoints, GrpcMethod<TRequest, TResponse> method,
        Func<IAsyncEnumerable<TRequest>, IGrpcStreamWriter<TResponse>, GrpcServerCallContext, Task> handler, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(endpoints, method, GrpcMethodType.DuplexStreaming, options, (m, call) =>
            handler(m.ReadRequestsAsync(call), new ServerStreamWriter<TResponse>(call, m.Method.ResponseMarshaller), call.Context));
    }

    /// <summary>
    /// Answers POST /{service}/{method} calls that match no mapped method with status Unimplemented (HTTP 200, Trailers-Only),
    /// as the spec prefers to a 404. Map it only where no other two-segment POST routes exist.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcUnimplemented(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost("/{service}/{method}", (RequestDelegate)(context =>
        {
            if (!Nexwatt.Protocols.Grpc.Internal.GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                return Task.CompletedTask;
            }
            return GrpcServerMethod<object, object>.WriteTrailersOnlyAsync(context, GrpcStatusCode.Unimplemented, $"Method {context.Request.Path.Value} is unimplemented.");
        }));
    }

    private static IEndpointConventionBuilder Map<TRequest, TResponse>(IEndpointRouteBuilder endpoints, GrpcMethod<TRequest, TResponse> method, GrpcMethodType expected,
        GrpcServerOptions? options, Func<GrpcServerMethod<TRequest, TResponse>, GrpcServerCall, Task> invoke)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected) throw new ArgumentException($"{method.Path} is a {method.Type} method, not {expected}.", nameof(method));
        options ??= endpoints.ServiceProvider.GetService<GrpcServerOptions>() ?? new GrpcServerOptions();
        options.Validate();
        var logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("Nexwatt.Protocols.Grpc.AspNetCore.GrpcServer") ?? NullLogger.Instance;
        var serverMethod = new GrpcServerMethod<TRequest, TResponse>(method, options, logger, invoke);
        return endpoints.MapPost(method.Path, (RequestDelegate)serverMethod.HandleAsync).WithDisplayName("gRPC " + method.Path);
    }
}
