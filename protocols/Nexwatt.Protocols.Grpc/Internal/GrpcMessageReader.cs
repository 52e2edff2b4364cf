using System.Buffers;
using System.IO.Pipelines;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>
/// Reads length-prefixed messages from a body (request body on the server, response body on the client): parse
/// every complete frame, AdvanceTo in finally; bytes left at the end of the body are a truncated message (Internal).
/// </summary>
internal sealed class GrpcMessageReader(PipeReader reader, int maxMessageSize, GrpcCompression encoding)
{
    /// <summary>Reads the next message; false at the end of the body.</summary>
    /// <exception cref="GrpcException">Malformed framing, over the limit, undecodable or unparsable message.</exception>
    public async ValueTask<(bool HasMessage, T Message)> ReadAsync<T>(GrpcMarshaller<T> marshaller, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (GrpcFrameCodec.TryRead(ref buffer, maxMessageSize, out var compressed, out var payload))
                {
                    consumed = buffer.Start;
                    examined = consumed;
                    return (true, Deserialize(marshaller, compressed, payload));
                }
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                        throw new GrpcException(GrpcStatusCode.Internal, $"The stream ended inside a message ({buffer.Length} bytes left over).");
                    return (false, default!);
                }
                if (result.IsCanceled) throw new OperationCanceledException("The read was canceled.");
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    private T Deserialize<T>(GrpcMarshaller<T> marshaller, bool compressed, ReadOnlySequence<byte> payload)
    {
        if (compressed)
        {
            if (encoding == GrpcCompression.None)
                throw new GrpcException(GrpcStatusCode.Internal, "A message has the compressed flag set but the stream declares no grpc-encoding.");
            payload = GzipMessageCodec.Decompress(payload, maxMessageSize);
        }
        try
        {
            return marshaller.Deserializer(payload);
        }
        catch (Exception ex) when (ex is not GrpcException and not OutOfMemoryException)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "Failed to deserialize a message.", ex);
        }
    }
}
