using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>Work for the writer loop; every request in one batch shares one transaction and one fsync.</summary>
internal abstract class WriteRequest
{
    /// <summary>Readings the request adds; the batch commits early once enough are waiting.</summary>
    public virtual int ReadingCount => 0;

    /// <summary>True when the caller wants the batch committed now rather than at the end of the commit interval.</summary>
    public virtual bool Urgent => false;

    public abstract void Fail(Exception exception);

    public abstract void Complete();
}

internal sealed class AppendRequest(string deviceId, IReadOnlyList<Reading> readings, bool callerRetries = false) : WriteRequest
{
    /// <summary>The caller keeps the readings and tries again when this fails: the buffer must not count them as lost.</summary>
    public bool CallerRetries { get; } = callerRetries;

    private readonly TaskCompletionSource<BufferedChunk> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string DeviceId { get; } = deviceId;
    public IReadOnlyList<Reading> Readings { get; } = readings;
    public BufferedChunk? Result { get; set; }
    public override int ReadingCount => Readings.Count;
    public Task<BufferedChunk> Task => _done.Task;

    public override void Fail(Exception exception) => _done.TrySetException(exception);

    public override void Complete() => _done.TrySetResult(Result!);
}

internal enum ChangeKind { AcknowledgeChunks, AcknowledgeGaps, DiscardCorrupt, Flush }

internal sealed class ChangeRequest(ChangeKind kind, IReadOnlyCollection<long> ids, IReadOnlyList<CorruptChunk>? corrupt = null) : WriteRequest
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChangeKind Kind { get; } = kind;
    public IReadOnlyCollection<long> Ids { get; } = ids;
    public IReadOnlyList<CorruptChunk> Corrupt { get; } = corrupt ?? [];
    public override bool Urgent => Kind is ChangeKind.Flush;
    public Task Task => _done.Task;

    public override void Fail(Exception exception) => _done.TrySetException(exception);

    public override void Complete() => _done.TrySetResult();
}
