using Nexwatt.Protocols.Grpc;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// Batches over one duplex Upload call: several may be in flight, the collector acknowledges each in order once it
/// is stored, and each <see cref="SendAsync"/> completes with its own ack. When the call ends, every pending send
/// fails and the pump's session ends; the unacknowledged chunks are still in the buffer.
/// </summary>
internal sealed class GrpcBatchTransport : IBatchTransport, IAsyncDisposable
{
    private readonly GrpcDuplexStreamingCall<TelemetryBatch, UploadAck> _call;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<TaskCompletionSource<UploadAck>> _pending = new();
    private readonly object _gate = new();
    private readonly Task _reader;
    private Exception? _failure;

    public GrpcBatchTransport(GrpcDuplexStreamingCall<TelemetryBatch, UploadAck> call, CancellationToken cancellationToken)
    {
        _call = call;
        _reader = ReadAcksAsync(cancellationToken);
    }

    // The collector's gRPC server takes messages of up to 4 MiB (the gRPC default); the 5-byte frame header is outside it.
    public int MaxBatchBytes => 4 * 1024 * 1024;

    public async ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var acked = new TaskCompletionSource<UploadAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Queued before the write, so that an ack can never arrive for a batch the reader does not know of.
            lock (_gate)
            {
                if (_failure is not null) throw new GrpcException(GrpcStatusCode.Unavailable, "the upload call has ended", _failure);
                _pending.Enqueue(acked);
            }
            await _call.RequestStream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
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
                if (next is null) throw new GrpcException(GrpcStatusCode.Internal, "the collector acknowledged a batch that was never sent");
                next.TrySetResult(ack);
            }
            ended = new GrpcException(GrpcStatusCode.Unavailable, "the collector ended the upload call");
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

    public async ValueTask DisposeAsync()
    {
        await _call.DisposeAsync().ConfigureAwait(false);
        try { await _reader.ConfigureAwait(false); } catch (Exception) { /* reported through the pending sends */ }
        _writeLock.Dispose();
    }
}
