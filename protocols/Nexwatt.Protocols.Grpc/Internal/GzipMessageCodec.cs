using System.Buffers;
using System.IO.Compression;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>
/// gzip message encoding: a fresh gzip member per message (compression contexts are not kept across messages).
/// Decompression stops at the size limit, so a small "zip bomb" never allocates more than the limit.
/// </summary>
internal static class GzipMessageCodec
{
    public static byte[] Compress(ReadOnlySpan<byte> message, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream(message.Length / 2 + 32);
        using (var gzip = new GZipStream(output, level, leaveOpen: true)) gzip.Write(message);
        return output.ToArray();
    }

    /// <exception cref="GrpcException">ResourceExhausted over the limit; Internal for corrupt gzip.</exception>
    public static ReadOnlySequence<byte> Decompress(ReadOnlySequence<byte> compressed, int maxMessageSize)
    {
        var input = compressed.IsSingleSegment && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(compressed.First, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(compressed.ToArray(), writable: false);
        try
        {
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            // Capacity follows what was actually inflated (never a declared size); reads stop one byte past the limit.
            var buffer = new ArrayBufferWriter<byte>((int)Math.Min(maxMessageSize + 1L, Math.Max(256L, compressed.Length * 4)));
            while (true)
            {
                var want = Math.Min(16 * 1024, maxMessageSize + 1 - buffer.WrittenCount);
                var read = gzip.Read(buffer.GetSpan(want)[..want]);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > maxMessageSize)
                    throw new GrpcException(GrpcStatusCode.ResourceExhausted, $"Decompressed message larger than max (over {maxMessageSize}).");
            }
            return new ReadOnlySequence<byte>(buffer.WrittenMemory);
        }
        catch (InvalidDataException ex)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "Failed to decompress a gzip message.", ex);
        }
        finally
        {
            input.Dispose();
        }
    }
}
