using Nexwatt.Protos.V1;

namespace Nexwatt.Protocols.Grpc.Tests.Support;

/// <summary>The collector's methods, from protos/nexwatt/v1/collector.proto (paths and shapes come from the descriptor).</summary>
internal static class Contract
{
    public static readonly GrpcMethod<TelemetryBatch, UploadAck> Upload =
        ProtobufGrpc.Method<TelemetryBatch, UploadAck>(CollectorReflection.Descriptor, "nexwatt.v1.TelemetryIngest", "Upload");

    public static readonly GrpcMethod<SetpointStreamRequest, SignedSetpoint> StreamSetpoints =
        ProtobufGrpc.Method<SetpointStreamRequest, SignedSetpoint>(CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "StreamSetpoints");

    public static readonly GrpcMethod<SetpointAck, SetpointAckReceipt> Acknowledge =
        ProtobufGrpc.Method<SetpointAck, SetpointAckReceipt>(CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "Acknowledge");

    /// <summary>A client-streaming shape over the same messages (the contract has none), for the in-process tests only.</summary>
    public static readonly GrpcMethod<TelemetryBatch, UploadAck> UploadAll = new(
        GrpcMethodType.ClientStreaming, "nexwatt.test.Extra", "UploadAll", ProtobufGrpc.Marshaller<TelemetryBatch>(), ProtobufGrpc.Marshaller<UploadAck>());

    public static TelemetryBatch Batch(ulong first, int readings = 2, int textLength = 0) => new()
    {
        SiteId = "site-1",
        AgentBootId = "boot-1",
        FirstSequence = first,
        LastSequence = first + (ulong)Math.Max(readings - 1, 0),
        Readings =
        {
            Enumerable.Range(0, readings).Select(i => new Reading
            {
                Sequence = first + (ulong)i, DeviceId = "inv-1", ModelId = 103, Point = "W", Value = 1000 + i, Unit = "W",
                Quality = Quality.Good, Text = new string('x', textLength),
            }),
        },
    };

    public static UploadAck AckFor(TelemetryBatch batch) => new()
    {
        FirstSequence = batch.FirstSequence, LastSequence = batch.LastSequence, Status = UploadAck.Types.Status.Stored,
        ReadingsStored = (uint)batch.Readings.Count,
    };
}
