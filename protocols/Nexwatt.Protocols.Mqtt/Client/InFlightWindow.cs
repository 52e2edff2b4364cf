namespace Nexwatt.Protocols.Mqtt.Client;

/// <summary>
/// The QoS 1 send window: at most <see cref="Limit"/> publishes await their PUBACK. Waiters are served in order.
/// The limit follows the broker's Receive Maximum (MQTT 5.0 section 3.3.4, 4.9) per connection.
/// </summary>
internal sealed class InFlightWindow(int limit)
{
    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _limit = limit;
    private int _used;

    public int Limit { get { lock (_gate) return _limit; } }
    public int InUse { get { lock (_gate) return _used; } }

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_used < _limit && _waiters.Count == 0)
            {
                _used++;
                return ValueTask.CompletedTask;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }
        return WaitSlowAsync(waiter, cancellationToken);
    }

    private async ValueTask WaitSlowAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Lost the race against a grant: hand the slot on. Otherwise the cancelled waiter stays queued and is skipped.
            if (!waiter.TrySetCanceled()) Release();
            throw;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _used--;
            GrantLocked();
        }
    }

    public void SetLimit(int limit)
    {
        lock (_gate)
        {
            _limit = limit;
            GrantLocked();
        }
    }

    private void GrantLocked()
    {
        while (_used < _limit && _waiters.TryDequeue(out var next))
            if (next.TrySetResult()) _used++;
    }
}
