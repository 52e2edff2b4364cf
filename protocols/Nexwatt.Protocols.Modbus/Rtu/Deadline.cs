namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>
/// A token that is cancelled by an outer token or, on the injected clock, after a delay. <see cref="Expired"/> tells
/// the two apart, so a timeout surfaces as <see cref="TimeoutException"/> and only the caller's cancellation as
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly ITimer _timer;
    private volatile bool _expired;

    public Deadline(TimeSpan after, TimeProvider time, CancellationToken outer)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _timer = time.CreateTimer(static s => ((Deadline)s!).Expire(), this, after, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _source.Token;

    public bool Expired => _expired;

    private void Expire()
    {
        _expired = true;
        try { _source.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _source.Dispose();
    }
}
