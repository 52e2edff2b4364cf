using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.GrpcHosting;
using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Identity;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// nexwatt.v1.SiteDispatch: StreamSetpoints pushes the calling site's setpoints (first every live one, then each as
/// it is issued or re-sent); Acknowledge records the site's answer. The caller's identity (<see cref="SiteCalls.Site"/>)
/// names the site: an acknowledgement of another site's setpoint is refused (accepted = false) and logged.
/// </summary>
internal sealed class SiteDispatchService(
    DispatchService dispatch,
    SetpointHub hub,
    SiteActivity activity,
    SiteStreamLimits limits,
    IOptions<CollectorOptions> options,
    ILogger<DispatchService> logger)
{
    public async Task StreamSetpoints(SetpointStreamRequest request, IServerStreamWriter<SignedSetpoint> setpoints, ServerCallContext context)
    {
        var siteId = context.Site().SiteId;
        // Idle by nature, so never timed out for silence; HTTP/2 keepalive pings check the peer, this bounds the count.
        using var lease = limits.Acquire(context, "setpoint", siteId, options.Value.Connections.MaxSetpointStreamsPerSite);
        // Subscribe before reading the live ones: a setpoint issued in between comes twice, never not at all.
        using var subscription = hub.Subscribe(siteId);
        activity.StreamOpened(siteId);
        try
        {
            var live = await dispatch.LiveSetpointsAsync(siteId, context.CancellationToken).ConfigureAwait(false);
            DispatchLog.StreamOpened(logger, siteId, context.Peer, live.Count);
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
    }

    public async Task<SetpointAckReceipt> Acknowledge(SetpointAck ack, ServerCallContext context)
    {
        var siteId = context.Site().SiteId;
        activity.Seen(siteId);
        var (accepted, _) = await dispatch.AcknowledgeAsync(siteId, ack, context.CancellationToken).ConfigureAwait(false);
        return new SetpointAckReceipt { Accepted = accepted };
    }

    /// <summary>Binds StreamSetpoints and Acknowledge as generated from protos/ (see <see cref="GeneratedMethods"/>).</summary>
    internal sealed class Methods : IServiceMethodProvider<SiteDispatchService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<SiteDispatchService> context)
        {
            var methods = GeneratedMethods.Of(binder => SiteDispatch.BindService(binder, null));
            context.AddServerStreamingMethod(methods.Refusing<SetpointStreamRequest, SignedSetpoint>("StreamSetpoints"), [],
                (service, request, setpoints, call) => service.StreamSetpoints(request, setpoints, call));
            context.AddUnaryMethod(methods.Refusing<SetpointAck, SetpointAckReceipt>("Acknowledge"), [],
                (service, ack, call) => service.Acknowledge(ack, call));
        }
    }
}
