using Grpc.Core;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// Batches over one duplex Upload call: several may be in flight, the collector acknowledges each in order once it
/// is stored, and each <see cref="SendAsync"/> completes with its own ack. When the call ends, every pending send
/// fails and the pump's session ends; the unacknowledged chunks are still in the buffer.
/// </summary>
internal sealed class GrpcBatchTransport : IBatchTransport, IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<TelemetryBatch, UploadAck> _call;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<TaskCompletionSource<UploadAck>> _pending = new();
    private readonly object _gate = new();
    private readonly Task _reader;
    private Exception? _failure;

    public GrpcBatchTransport(AsyncDuplexStreamingCall<TelemetryBatch, UploadAck> call, CancellationToken cancellationToken)
    {
        _call = call;
        _reader = ReadAcksAsync(cancellationToken);
    }

    // The collector's gRPC server takes messages of up to 4 MiB, as the channel sends them; the 5-byte frame header is outside it.
    public int MaxBatchBytes => GrpcCollectorChannel.MaxMessageSize;

    public async ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var acked = new TaskCompletionSource<UploadAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Queued before the write, so that an ack can never arrive for a batch the reader does not know of.
            lock (_gate)
            {
                if (_failure is not null) throw Ended(_failure);
                _pending.Enqueue(acked);
            }
            await _call.RequestStream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // The call completed between the check and the write, or its connection was reset under the write.
            throw Ended(ex);
        }
        finally
        {
            _writeLock.Release();
        }
        var ack = await acked.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (ack.Status == UploadAck.Types.Status.Rejected)
            throw new BatchRejectedException(ack.Message);
    }

    private async Task ReadAcksAsync(CancellationToken cancellationToken)
    {
        Exception ended;
        try
        {
            await foreach (var ack in _call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                TaskCompletionSource<UploadAck>? next;
                lock (_gate) _pending.TryDequeue(out next);
                if (next is null) throw new RpcException(new Status(StatusCode.Internal, "the collector acknowledged a batch that was never sent"));
                next.TrySetResult(ack);
            }
            ended = new RpcException(new Status(StatusCode.Unavailable, "the collector ended the upload call"));
        }
        catch (Exception ex)
        {
            ended = ex;
        }
        List<TaskCompletionSource<UploadAck>> orphans;
        lock (_gate)
        {
            _failure = ended;
            orphans = [.. _pending];
            _pending.Clear();
        }
        foreach (var orphan in orphans) orphan.TrySetException(ended);
    }

    /// <summary>The call's own status when it failed with one, so the retry is decided by it; Unavailable otherwise.</summary>
    private static RpcException Ended(Exception failure)
        => failure as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, $"the upload call has ended: {failure.Message}", failure));

    public async ValueTask DisposeAsync()
    {
        // Cancels the call when it is still open (RST_STREAM CANCEL): the collector stops at once.
        _call.Dispose();
        try { await _reader.ConfigureAwait(false); } catch (Exception) { /* reported through the pending sends */ }
        _writeLock.Dispose();
    }
}
