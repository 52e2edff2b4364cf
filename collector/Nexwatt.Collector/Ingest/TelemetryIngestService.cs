using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.GrpcHosting;
using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Identity;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// nexwatt.v1.TelemetryIngest/Upload: the agent streams batches and gets one ack per batch, in order, once the
/// batch is durably stored. The caller's identity (<see cref="SiteCalls.Site"/>) names the site; a batch naming another
/// site ends the call with PermissionDenied and nothing of it is stored.
/// </summary>
internal sealed class TelemetryIngestService(
    IngestPipeline pipeline,
    SiteStreamLimits limits,
    IOptions<CollectorOptions> options,
    TimeProvider time,
    ILogger<IngestPipeline> logger)
{
    public async Task Upload(IAsyncStreamReader<TelemetryBatch> batches, IServerStreamWriter<UploadAck> acks, ServerCallContext context)
    {
        var caller = context.Site();
        var connections = options.Value.Connections;
        using var lease = limits.Acquire(context, "upload", caller.SiteId, connections.MaxUploadStreamsPerSite);
        // Silence on an upload stream is bounded: the wait for each next batch is timed, the handling of one is not.
        using var idle = new CancellationTokenSource(connections.UploadIdleTimeout, time);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, idle.Token);
        while (true)
        {
            try
            {
                if (!await batches.MoveNext(reading.Token).ConfigureAwait(false)) break;
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                IngestLog.UploadIdle(logger, caller.SiteId, connections.UploadIdleTimeout);
                throw context.Refuse(StatusCode.Unavailable, $"no batch for {connections.UploadIdleTimeout}; the upload call is closed (open a new one to send more)");
            }
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
            var batch = batches.Current;
            if (!string.IsNullOrEmpty(batch.SiteId) && batch.SiteId != caller.SiteId)
            {
                IngestLog.ForeignSite(logger, caller.SiteId, batch.SiteId);
                throw context.Refuse(StatusCode.PermissionDenied, $"this caller is site '{caller.SiteId}' and may not write for site '{batch.SiteId}'");
            }
            UploadAck ack;
            try
            {
                var result = await pipeline.IngestAsync(caller.SiteId, batch, context.CancellationToken, transport: "grpc").ConfigureAwait(false);
                ack = new UploadAck { Status = UploadAck.Types.Status.Stored, ReadingsStored = (uint)result.Stored, ReadingsDuplicate = (uint)result.Duplicates };
            }
            catch (InvalidTelemetryException ex)
            {
                IngestLog.Rejected(logger, caller.SiteId, ex.Message);
                ack = new UploadAck { Status = UploadAck.Types.Status.Rejected, Message = ex.Message };
            }
            ack.FirstSequence = batch.FirstSequence;
            ack.LastSequence = batch.LastSequence;
            await acks.WriteAsync(ack, context.CancellationToken).ConfigureAwait(false);
            idle.CancelAfter(connections.UploadIdleTimeout);
        }
    }

    /// <summary>Binds Upload as generated from protos/ (see <see cref="GeneratedMethods"/>).</summary>
    internal sealed class Methods : IServiceMethodProvider<TelemetryIngestService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TelemetryIngestService> context)
        {
            var methods = GeneratedMethods.Of(binder => TelemetryIngest.BindService(binder, null));
            context.AddDuplexStreamingMethod(methods.Refusing<TelemetryBatch, UploadAck>("Upload"), [],
                (service, batches, acks, call) => service.Upload(batches, acks, call));
        }
    }
}
