using System.Net;
using System.Net.Http.Headers;

namespace Nexwatt.Protocols.Grpc.Client;

/// <summary>
/// The request body of a call: HttpClient hands over the HTTP/2 stream when it starts sending, and the body stays
/// open (no END_STREAM) until the request stream completes, so writes and reads interleave (full duplex).
/// </summary>
internal sealed class GrpcRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GrpcRequestContent() => Headers.ContentType = new MediaTypeHeaderValue(Internal.GrpcProtocol.ContentType);

    /// <summary>The request stream, once HttpClient is sending.</summary>
    public Task<Stream> StreamAsync => _stream.Task;

    /// <summary>Ends the body: HttpClient sends END_STREAM.</summary>
    public void Complete() => _completed.TrySetResult();

    /// <summary>Ends the body without END_STREAM (the call failed or was canceled); pending writers fail with <paramref name="reason"/>.</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _stream.Task.Exception?.Handle(_ => true);
        _completed.TrySetException(reason);
        _completed.Task.Exception?.Handle(_ => true);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
