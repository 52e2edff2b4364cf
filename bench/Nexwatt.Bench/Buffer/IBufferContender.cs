using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.Buffer;

/// <summary>
/// A store that could hold the agent's readings while the link is down: append a device poll durably (as durably as
/// the store makes it), drain everything in order and delete what was drained, and say what it costs on disk.
/// </summary>
internal interface IBufferContender : IAsyncDisposable
{
    /// <summary>Appends one poll; returns the id under which it was stored once the store calls it committed.</summary>
    ValueTask<long> AppendAsync(string deviceId, IReadOnlyList<Reading> readings, CancellationToken cancellationToken);

    /// <summary>Reads every stored reading oldest first, deletes what was read; returns how many readings came out.</summary>
    ValueTask<long> DrainAsync(CancellationToken cancellationToken);

    /// <summary>The ids of every stored poll (for the kill loop's check).</summary>
    ValueTask<IReadOnlySet<long>> StoredIdsAsync(CancellationToken cancellationToken);

    /// <summary>Bytes of every file the store keeps (database, log, journal).</summary>
    long BytesOnDisk { get; }
}
