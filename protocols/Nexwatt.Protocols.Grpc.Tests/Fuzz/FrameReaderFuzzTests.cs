using System.Buffers;
using System.IO.Pipelines;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Protocols.Grpc.Internal;
using Nexwatt.Protocols.Grpc.Tests.Codec;
using Nexwatt.Protocols.Grpc.Tests.Support;
using Nexwatt.Protos.V1;

namespace Nexwatt.Protocols.Grpc.Tests.Fuzz;

/// <summary>
/// Property tests of the frame reader: random, mutated and truncated input never throws anything but
/// <see cref="GrpcException"/> (Internal or ResourceExhausted), never allocates from a declared length, and
/// every valid stream, however it is cut into reads, yields exactly the messages that were framed.
/// </summary>
public sealed class FrameReaderFuzzTests
{
    private const int MaxMessageSize = 4096;
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(1500);
    private static readonly GrpcMarshaller<byte[]> Raw = new((m, w) => w.Write(m), s => s.ToArray());

    private static readonly Gen<byte[]> Payloads = Gen.Choose(0, 600).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
    private static readonly Gen<byte[]> RandomBytes = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    /// <summary>A valid stream: several frames, some gzip-compressed.</summary>
    private static readonly Gen<(byte[][] Messages, bool[] Gzip)> Streams =
        from count in Gen.Choose(0, 6)
        from messages in Gen.ArrayOf(Payloads, count)
        from gzip in Gen.ArrayOf(Gen.Elements(true, false), count)
        select (messages, gzip);

    [Fact]
    public void Valid_streams_round_trip_whatever_the_read_boundaries()
    {
        Prop.ForAll(Streams.ToArbitrary(), Gen.ArrayOf(Gen.Choose(1, 50), 20).ToArbitrary(), (stream, cuts) =>
        {
            var bytes = Encode(stream.Messages, stream.Gzip);
            var read = ReadAll(bytes, cuts, GrpcCompression.Gzip);
            Assert.Equal(stream.Messages.Length, read.Count);
            for (var i = 0; i < read.Count; i++) Assert.Equal(stream.Messages[i], read[i]);
        }).Check(Many);
    }

    [Fact]
    public void Random_bytes_fail_only_with_a_grpc_status()
    {
        Prop.ForAll(RandomBytes.ToArbitrary(), input => ReadExpectingOnlyGrpcErrors(input, [7, 1, 64])).Check(Many);
    }

    [Fact]
    public void Mutated_and_truncated_streams_fail_only_with_a_grpc_status()
    {
        var gen =
            from stream in Streams
            from flips in Gen.ArrayOf(Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, 255)), 4)
            from cut in Gen.Choose(0, 100)
            select (stream, flips, cut);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var bytes = Encode(input.stream.Messages, input.stream.Gzip);
            if (bytes.Length == 0) return;
            foreach (var (position, value) in input.flips) bytes[position % bytes.Length] = (byte)value;
            var truncated = bytes.AsSpan(0, bytes.Length * input.cut / 100).ToArray();
            ReadExpectingOnlyGrpcErrors(bytes, [5, 3]);
            ReadExpectingOnlyGrpcErrors(truncated, [2]);
        }).Check(Many);
    }

    [Fact]
    public void Protobuf_parsing_of_garbage_is_internal()
    {
        var marshaller = ProtobufGrpc.Marshaller<TelemetryBatch>();
        Prop.ForAll(Payloads.ToArbitrary(), payload =>
        {
            var frame = new byte[payload.Length + 5];
            GrpcFrameCodec.WriteHeader(frame, false, payload.Length);
            payload.CopyTo(frame, 5);
            var reader = new GrpcMessageReader(PipeReader.Create(new MemoryStream(frame)), MaxMessageSize, GrpcCompression.None);
            try { reader.ReadAsync(marshaller, default).AsTask().GetAwaiter().GetResult(); }
            catch (GrpcException ex) { Assert.Equal(GrpcStatusCode.Internal, ex.StatusCode); }
        }).Check(Many);
    }

    [Fact]
    public void Declared_lengths_never_drive_allocation()
    {
        Prop.ForAll(Gen.Choose(MaxMessageSize + 1, int.MaxValue).ToArbitrary(), declared =>
        {
            var prefix = new byte[5];
            GrpcFrameCodec.WriteHeader(prefix, false, declared);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var buffer = new ReadOnlySequence<byte>(prefix);
            var ex = Assert.Throws<GrpcException>(() => GrpcFrameCodec.TryRead(ref buffer, MaxMessageSize, out _, out _));
            Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024, "allocated before the limit check");
        }).Check(Many);
    }

    [Fact]
    public void A_pipe_of_huge_declared_lengths_stays_small()
    {
        // 1000 frames each declaring 4 GiB - 1: rejected at the first prefix, whatever follows.
        var bytes = Enumerable.Repeat(Hex.Bytes("00 FFFFFFFF"), 1000).SelectMany(b => b).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<GrpcException>(() => ReadAll(bytes, [5000], GrpcCompression.None));
        Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024);
    }

    private static void ReadExpectingOnlyGrpcErrors(byte[] input, int[] cuts)
    {
        foreach (var encoding in new[] { GrpcCompression.None, GrpcCompression.Gzip })
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                ReadAll(input, cuts, encoding);
            }
            catch (GrpcException ex)
            {
                Assert.True(ex.StatusCode is GrpcStatusCode.Internal or GrpcStatusCode.ResourceExhausted, $"unexpected status {ex.StatusCode}");
            }
            // Bounded by the input and the message limit, never by what a prefix declares.
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8L * input.Length + 4L * MaxMessageSize + 256 * 1024, "over-allocation");
        }
    }

    private static byte[] Encode(byte[][] messages, bool[] gzip)
    {
        var output = new List<byte>();
        for (var i = 0; i < messages.Length; i++)
            output.AddRange(GrpcMessageFramer.Frame(messages[i], Raw, gzip[i] ? GrpcCompression.Gzip : GrpcCompression.None, MaxMessageSize));
        return output.ToArray();
    }

    /// <summary>Reads every message from <paramref name="bytes"/>, delivered in reads of the given sizes (cycled): partial prefixes and bodies included.</summary>
    private static List<byte[]> ReadAll(byte[] bytes, int[] cuts, GrpcCompression encoding)
    {
        var pipe = PipeReader.Create(new ChunkedStream(bytes, cuts), new StreamPipeReaderOptions(bufferSize: 64, minimumReadSize: 1));
        var reader = new GrpcMessageReader(pipe, MaxMessageSize, encoding);
        var messages = new List<byte[]>();
        while (true)
        {
            var (hasMessage, message) = reader.ReadAsync(Raw, default).AsTask().GetAwaiter().GetResult();
            if (!hasMessage) return messages;
            messages.Add(message);
        }
    }

    /// <summary>A read-only stream that returns at most the next cut's bytes per read, synchronously.</summary>
    private sealed class ChunkedStream(byte[] bytes, int[] cuts) : Stream
    {
        private int _offset;
        private int _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _offset; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var size = Math.Min(Math.Min(cuts[_read++ % cuts.Length], buffer.Length), bytes.Length - _offset);
            bytes.AsSpan(_offset, size).CopyTo(buffer);
            _offset += size;
            return size;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
