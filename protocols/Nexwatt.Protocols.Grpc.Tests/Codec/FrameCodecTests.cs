using System.Buffers;
using Nexwatt.Protocols.Grpc.Internal;
using Nexwatt.Protocols.Grpc.Tests.Support;
using Nexwatt.Protos.V1;

namespace Nexwatt.Protocols.Grpc.Tests.Codec;

/// <summary>Length-Prefixed-Message (PROTOCOL-HTTP2.md): flag byte, big-endian uint32 length, message.</summary>
public sealed class FrameCodecTests
{
    [Theory]
    // empty message, uncompressed
    [InlineData("00 00000000", false, "")]
    // SetpointAckReceipt{accepted=true} = 08 01
    [InlineData("00 00000002 0801", false, "0801")]
    // compressed flag set
    [InlineData("01 00000003 AABBCC", true, "AABBCC")]
    public void Reads_a_complete_frame(string hex, bool compressed, string payload)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        Assert.True(GrpcFrameCodec.TryRead(ref buffer, 1024, out var flag, out var message));
        Assert.Equal(compressed, flag);
        Assert.Equal(payload, Hex.Of(message.ToArray()));
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("00 000000")]
    [InlineData("00 00000003 AABB")]
    public void Incomplete_frames_need_more_bytes(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        Assert.False(GrpcFrameCodec.TryRead(ref buffer, 1024, out _, out _));
        Assert.Equal(Hex.Bytes(hex).Length, buffer.Length);
    }

    [Fact]
    public void Two_frames_split_across_segments_read_one_after_the_other()
    {
        var bytes = Hex.Bytes("00 00000002 0801 00 00000000");
        var buffer = Segments.Split(bytes, 1, 3, 6);
        Assert.True(GrpcFrameCodec.TryRead(ref buffer, 16, out _, out var first));
        Assert.Equal("0801", Hex.Of(first.ToArray()));
        Assert.True(GrpcFrameCodec.TryRead(ref buffer, 16, out _, out var second));
        Assert.True(second.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Invalid_flag_is_internal_as_soon_as_the_first_byte_arrives()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("02"));
        var ex = Assert.Throws<GrpcException>(() => GrpcFrameCodec.TryRead(ref buffer, 16, out _, out _));
        Assert.Equal(GrpcStatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void Declared_length_over_the_limit_is_resource_exhausted_before_the_body_arrives()
    {
        // 4 GiB - 1 declared, nothing following: rejected from the prefix alone.
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("00 FFFFFFFF"));
        var ex = Assert.Throws<GrpcException>(() => GrpcFrameCodec.TryRead(ref buffer, 4 * 1024 * 1024, out _, out _));
        Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
        var exact = new ReadOnlySequence<byte>(Hex.Bytes("00 00000010"));
        Assert.False(GrpcFrameCodec.TryRead(ref exact, 16, out _, out _)); // exactly the limit: allowed, waits for the body
    }

    [Fact]
    public void Framer_writes_prefix_and_protobuf_payload()
    {
        var frame = GrpcMessageFramer.Frame(new SetpointAckReceipt { Accepted = true }, ProtobufGrpc.Marshaller<SetpointAckReceipt>(), GrpcCompression.None, 100);
        Assert.Equal("00000000020801", Hex.Of(frame));
    }

    [Fact]
    public void Framer_refuses_a_message_over_the_send_limit()
    {
        var ex = Assert.Throws<GrpcException>(() => GrpcMessageFramer.Frame(Contract.Batch(1, 10), ProtobufGrpc.Marshaller<TelemetryBatch>(), GrpcCompression.None, 10));
        Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void Gzip_frames_set_the_flag_and_round_trip()
    {
        var batch = Contract.Batch(1, 50, textLength: 40);
        var frame = GrpcMessageFramer.Frame(batch, ProtobufGrpc.Marshaller<TelemetryBatch>(), GrpcCompression.Gzip, 1 << 20);
        Assert.Equal(1, frame[0]);
        Assert.Equal(0x1F, frame[5]); // gzip magic 1F 8B
        Assert.Equal(0x8B, frame[6]);
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(GrpcFrameCodec.TryRead(ref buffer, 1 << 20, out var compressed, out var payload));
        Assert.True(compressed);
        Assert.True(payload.Length < batch.CalculateSize());
        var back = TelemetryBatch.Parser.ParseFrom(GzipMessageCodec.Decompress(payload, 1 << 20));
        Assert.Equal(batch, back);
    }

    [Fact]
    public void Gzip_bomb_stops_at_the_limit()
    {
        var bomb = GzipMessageCodec.Compress(new byte[10 * 1024 * 1024]); // ~10 KiB compressed
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<GrpcException>(() => GzipMessageCodec.Decompress(new ReadOnlySequence<byte>(bomb), 64 * 1024));
        Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, "decompression allocated far more than the limit");
    }

    [Fact]
    public void Corrupt_gzip_is_internal()
    {
        var ex = Assert.Throws<GrpcException>(() => GzipMessageCodec.Decompress(new ReadOnlySequence<byte>(Hex.Bytes("1F8B 0800 0000 0000 00FF DEADBEEF")), 1024));
        Assert.Equal(GrpcStatusCode.Internal, ex.StatusCode);
    }
}

internal static class Segments
{
    /// <summary>A sequence over <paramref name="bytes"/> with segment boundaries at the given offsets.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length).ToArray();
        var first = new Segment(bytes.AsMemory(0, bounds[0]), 0);
        var last = first;
        for (var i = 1; i < bounds.Length; i++) last = last.Append(bytes.AsMemory(bounds[i - 1], bounds[i] - bounds[i - 1]));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
