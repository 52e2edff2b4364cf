using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Identity;
using Nexwatt.Protocols.Grpc;
using Nexwatt.Protocols.Grpc.AspNetCore;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// nexwatt.v1.SiteDispatch: StreamSetpoints pushes the calling site's setpoints (first every live one, then each as
/// it is issued or re-sent); Acknowledge records the site's answer. The caller's identity names the site: an
/// acknowledgement of another site's setpoint is refused (accepted = false) and logged.
/// </summary>
internal static class SiteDispatchEndpoint
{
    public static readonly GrpcMethod<SetpointStreamRequest, SignedSetpoint> StreamSetpoints =
        ProtobufGrpc.Method<SetpointStreamRequest, SignedSetpoint>(CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "StreamSetpoints");

    public static readonly GrpcMethod<SetpointAck, SetpointAckReceipt> Acknowledge =
        ProtobufGrpc.Method<SetpointAck, SetpointAckReceipt>(CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "Acknowledge");

    public static IEndpointRouteBuilder MapSiteDispatch(this IEndpointRouteBuilder app)
    {
        app.MapGrpcServerStreaming(StreamSetpoints, async (_, setpoints, context) =>
        {
            var services = context.HttpContext.RequestServices;
            var siteId = await SiteAsync(context).ConfigureAwait(false);
            var connections = services.GetRequiredService<IOptions<CollectorOptions>>().Value.Connections;
            // Idle by nature, so never timed out for silence; HTTP/2 keepalive pings check the peer, this bounds the count.
            using var lease = services.GetRequiredService<SiteStreamLimits>().Acquire("setpoint", siteId, connections.MaxSetpointStreamsPerSite);
            var activity = services.GetRequiredService<SiteActivity>();
            // Subscribe before reading the live ones: a setpoint issued in between comes twice, never not at all.
            using var subscription = services.GetRequiredService<SetpointHub>().Subscribe(siteId);
            activity.StreamOpened(siteId);
            try
            {
                var live = await services.GetRequiredService<DispatchService>().LiveSetpointsAsync(siteId, context.CancellationToken).ConfigureAwait(false);
                DispatchLog.StreamOpened(services.GetRequiredService<ILogger<DispatchService>>(), siteId, context.Peer, live.Count);
                foreach (var setpoint in live) await setpoints.WriteAsync(setpoint, context.CancellationToken).ConfigureAwait(false);
                await foreach (var setpoint in subscription.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
                    await setpoints.WriteAsync(setpoint, context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // The agent went away or the server is stopping: not an error.
            }
            finally
            {
                activity.StreamClosed(siteId);
            }
        });

        app.MapGrpcUnary(Acknowledge, async (ack, context) =>
        {
            var services = context.HttpContext.RequestServices;
            var siteId = await SiteAsync(context).ConfigureAwait(false);
            services.GetRequiredService<SiteActivity>().Seen(siteId);
            var (accepted, _) = await services.GetRequiredService<DispatchService>().AcknowledgeAsync(siteId, ack, context.CancellationToken).ConfigureAwait(false);
            return new SetpointAckReceipt { Accepted = accepted };
        });
        return app;
    }

    private static async Task<string> SiteAsync(GrpcServerCallContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<DispatchService>>();
        var caller = await GrpcSiteCaller.RequireAsync(context, (peer, problem) => DispatchLog.CallRefused(logger, peer, problem)).ConfigureAwait(false);
        return caller.SiteId;
    }
}
