using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Nexwatt.Collector.GrpcHosting;

/// <summary>
/// gzip for request messages with the decompressed size bounded by the receive limit: grpc-dotnet checks a compressed
/// message's size on the wire only and then inflates it whole, so a gzip bomb of a few kilobytes would otherwise cost
/// the collector gigabytes. Past the limit the call ends with ResourceExhausted; data that is not gzip with Internal.
/// </summary>
internal sealed class BoundedGzipCompressionProvider(int maxDecompressedSize) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) => new Bounded(new GZipStream(stream, CompressionMode.Decompress), maxDecompressedSize);

    private sealed class Bounded(Stream inner, int limit) : Stream
    {
        private long _total;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read;
            try
            {
                read = inner.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"Failed to decompress the request message (gzip): {ex.Message}"));
            }
            _total += read;
            if (_total > limit) throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Decompressed message larger than max ({limit} bytes)"));
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
