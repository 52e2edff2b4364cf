using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Identity;
using Nexwatt.Collector.Ingest;

namespace Nexwatt.Collector.GrpcHosting;

/// <summary>
/// The gate in front of every site-facing method, once per call: the caller's site (<see cref="SiteIdentityResolver"/>:
/// client certificate or site token) is resolved before the service runs and handed to it
/// (<see cref="SiteCalls.Site"/>); otherwise the refusal is logged in the service's own words and the call ends with
/// Unauthenticated. The lines are bounded per peer address (<see cref="SiteRefusalLog"/>): a client retrying a bad
/// token in a loop cannot flood the log.
/// </summary>
internal sealed class SiteCallInterceptor(SiteIdentityResolver resolver, SiteRefusalLog refusals, ILoggerFactory loggers) : Interceptor
{
    private readonly ILogger _ingest = loggers.CreateLogger<IngestPipeline>();
    private readonly ILogger _dispatch = loggers.CreateLogger<DispatchService>();
    private readonly ILogger _logger = loggers.CreateLogger<SiteCallInterceptor>();

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        => RunAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
        => RunAsync(context, () => continuation(new RefusingReader<TRequest>(requestStream), context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
        => RunAsync(context, async () => { await continuation(request, responseStream, context).ConfigureAwait(false); return true; });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        => RunAsync(context, async () => { await continuation(new RefusingReader<TRequest>(requestStream), responseStream, context).ConfigureAwait(false); return true; });

    private async Task<T> RunAsync<T>(ServerCallContext context, Func<Task<T>> service)
    {
        SiteCalls.MarkServiceReached(context);
        await ProveAsync(context).ConfigureAwait(false);
        try
        {
            return await service().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (RpcException or OperationCanceledException))
        {
            // grpc-dotnet's own line for this is filtered out (CollectorHost): it would also be written, with a stack
            // trace, for every unreadable message a client sends.
            GrpcHostingLog.ServiceFailed(_logger, context.Method, ex);
            throw;
        }
    }

    /// <summary>
    /// The request stream as the service reads it, with a message grpc-dotnet cannot read (a compressed flag that is
    /// neither 0 nor 1, a length beyond 2 GiB) refused with Internal rather than passed on as an exception the
    /// service never expects (which would end the call with Unknown, as if it had crashed).
    /// </summary>
    private sealed class RefusingReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"Failed to read the request message: {ex.Message}"));
            }
        }
    }

    private async Task ProveAsync(ServerCallContext context)
    {
        var identity = await resolver.ResolveAsync(context.GetHttpContext(), context.CancellationToken).ConfigureAwait(false);
        if (identity.Caller is { } caller)
        {
            context.SetSite(caller);
            return;
        }
        var http = context.GetHttpContext();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? context.Peer;
        var peer = $"{address}:{http.Connection.RemotePort}";
        if (refusals.Limiter.TryTake(address, out var held))
        {
            var problem = held == 0 ? identity.Problem! : $"{identity.Problem} ({held} earlier refusal(s) from this address held back from the log)";
            if (context.Method.StartsWith("/nexwatt.v1.TelemetryIngest/", StringComparison.Ordinal)) IngestLog.Refused(_ingest, peer, problem);
            else DispatchLog.CallRefused(_dispatch, peer, problem);
        }
        throw context.Refuse(StatusCode.Unauthenticated, identity.Problem!);
    }
}
