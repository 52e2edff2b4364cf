namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// The requests waiting for an RTU bus, handed to its one thread: first come, first served, except that background
/// requests (a unit-id sweep's probes) wait while any other request is queued. A monitor rather than
/// BlockingCollection: its semaphore spins before it blocks, which on a gateway polling a few units per second is CPU
/// burnt for nothing; here the bus thread sleeps in the kernel until a request comes or the bus closes.
/// </summary>
internal sealed class RtuBusQueue
{
    private readonly Queue<RtuRequest> _waiting = new();
    private readonly Queue<RtuRequest> _background = new();
    private readonly object _gate = new();
    private bool _completed;

    /// <summary>False once <see cref="Complete"/> was called: the bus takes nothing more.</summary>
    public bool TryAdd(RtuRequest request)
    {
        lock (_gate)
        {
            if (_completed) return false;
            (request.IsBackground ? _background : _waiting).Enqueue(request);
            if (_waiting.Count + _background.Count == 1) Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>The next request, waiting for one; false once the queue is completed and empty.</summary>
    public bool TryTake(out RtuRequest request)
    {
        lock (_gate)
        {
            while (_waiting.Count == 0 && _background.Count == 0)
            {
                if (_completed)
                {
                    request = null!;
                    return false;
                }
                Monitor.Wait(_gate);
            }
            request = _waiting.Count > 0 ? _waiting.Dequeue() : _background.Dequeue();
            return true;
        }
    }

    /// <summary>Takes nothing more and wakes the bus thread; what is queued can still be taken (and failed).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
