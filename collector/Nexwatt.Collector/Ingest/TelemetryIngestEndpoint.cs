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

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// nexwatt.v1.TelemetryIngest/Upload: the agent streams batches and gets one ack per batch, in order, once the
/// batch is durably stored. The caller's identity names the site; a batch naming another site ends the call with
/// PermissionDenied and nothing of it is stored.
/// </summary>
internal static class TelemetryIngestEndpoint
{
    public static readonly GrpcMethod<TelemetryBatch, UploadAck> Upload =
        ProtobufGrpc.Method<TelemetryBatch, UploadAck>(CollectorReflection.Descriptor, "nexwatt.v1.TelemetryIngest", "Upload");

    public static IEndpointRouteBuilder MapTelemetryIngest(this IEndpointRouteBuilder app)
    {
        app.MapGrpcDuplexStreaming(Upload, async (batches, acks, context) =>
        {
            var services = context.HttpContext.RequestServices;
            var logger = services.GetRequiredService<ILogger<IngestPipeline>>();
            var caller = await GrpcSiteCaller.RequireAsync(context, (peer, problem) => IngestLog.Refused(logger, peer, problem)).ConfigureAwait(false);
            var pipeline = services.GetRequiredService<IngestPipeline>();
            var connections = services.GetRequiredService<IOptions<CollectorOptions>>().Value.Connections;
            using var lease = services.GetRequiredService<SiteStreamLimits>().Acquire("upload", caller.SiteId, connections.MaxUploadStreamsPerSite);
            // Silence on an upload stream is bounded: the wait for each next batch is timed, the handling of one is not.
            using var idle = new CancellationTokenSource(connections.UploadIdleTimeout, services.GetRequiredService<TimeProvider>());
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, idle.Token);
            await using var next = batches.WithCancellation(reading.Token).ConfigureAwait(false).GetAsyncEnumerator();
            while (true)
            {
                try
                {
                    if (!await next.MoveNextAsync()) break;
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
                {
                    IngestLog.UploadIdle(logger, caller.SiteId, connections.UploadIdleTimeout);
                    throw new GrpcException(GrpcStatusCode.Unavailable,
                        $"no batch for {connections.UploadIdleTimeout}; the upload call is closed (open a new one to send more)");
                }
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                var batch = next.Current;
                if (!string.IsNullOrEmpty(batch.SiteId) && batch.SiteId != caller.SiteId)
                {
                    IngestLog.ForeignSite(logger, caller.SiteId, batch.SiteId);
                    throw new GrpcException(GrpcStatusCode.PermissionDenied, $"this caller is site '{caller.SiteId}' and may not write for site '{batch.SiteId}'");
                }
                UploadAck ack;
                try
                {
                    var result = await pipeline.IngestAsync(caller.SiteId, batch, context.CancellationToken).ConfigureAwait(false);
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
        });
        return app;
    }
}
