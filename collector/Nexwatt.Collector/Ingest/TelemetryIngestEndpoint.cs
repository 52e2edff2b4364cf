using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
            await foreach (var batch in batches.WithCancellation(context.CancellationToken).ConfigureAwait(false))
            {
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
            }
        });
        return app;
    }
}
