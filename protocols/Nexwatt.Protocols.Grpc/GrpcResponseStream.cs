using System.Runtime.CompilerServices;
using Nexwatt.Protocols.Grpc.Client;

namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// The responses of a server-streaming or duplex call. The end of the stream means status OK; any other status
/// is thrown as <see cref="GrpcException"/> by the read that reaches it.
/// </summary>
/// <typeparam name="T">The response message type.</typeparam>
public sealed class GrpcResponseStream<T>
{
    private readonly IGrpcResponseSource<T> _source;

    internal GrpcResponseStream(IGrpcResponseSource<T> source) => _source = source;

    /// <summary>The message the last successful <see cref="MoveNextAsync"/> read.</summary>
    public T Current { get; private set; } = default!;

    /// <summary>Reads the next message; false once the server ended the call with OK. Canceling cancels the call.</summary>
    /// <exception cref="GrpcException">The call ended with another status (or failed locally).</exception>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        var (hasMessage, message) = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (hasMessage) Current = message;
        return hasMessage;
    }

    /// <summary>Every remaining message, for <c>await foreach</c>.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextAsync(cancellationToken).ConfigureAwait(false)) yield return Current;
    }
}
