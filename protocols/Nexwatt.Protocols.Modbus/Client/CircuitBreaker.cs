namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// One unit id's breaker. Closed: requests pass; N consecutive transient failures open it. Open: requests fail fast
/// until the open period ends. Then one request goes through as the half-open probe (others still fail fast): its
/// success closes the breaker, its failure reopens it for twice as long (up to the maximum).
/// Not thread-safe: the link calls it under its lock. Times are <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly int _threshold;
    private readonly long _openMinTicks;
    private readonly long _openMaxTicks;
    private int _failures;
    private long _openTicks;

    public CircuitBreaker(int threshold, long openMinTicks, long openMaxTicks)
    {
        _threshold = threshold;
        _openMinTicks = openMinTicks;
        _openMaxTicks = openMaxTicks;
        _openTicks = openMinTicks;
    }

    public BreakerState State { get; private set; }

    /// <summary>When an open breaker admits its probe.</summary>
    public long OpenUntil { get; private set; }

    /// <summary>True when a request would be refused right now (a cheap check before queuing).</summary>
    public bool Refuses(long now) => State == BreakerState.HalfOpen || (State == BreakerState.Open && now < OpenUntil);

    /// <summary>Decides for a request about to be sent.</summary>
    public BreakerAdmission Admit(long now)
    {
        switch (State)
        {
            case BreakerState.Closed:
                return BreakerAdmission.Allowed;
            case BreakerState.Open when now >= OpenUntil:
                State = BreakerState.HalfOpen;
                return BreakerAdmission.Probe;
            default:
                return BreakerAdmission.Refused;
        }
    }

    public void OnSuccess()
    {
        _failures = 0;
        _openTicks = _openMinTicks;
        State = BreakerState.Closed;
    }

    /// <summary>Records a transient failure; true when this failure opened the breaker.</summary>
    public bool OnFailure(long now, bool wasProbe)
    {
        if (wasProbe && State == BreakerState.HalfOpen)
        {
            _openTicks = Math.Min(_openTicks * 2, _openMaxTicks);
            Open(now);
            return true;
        }
        if (State != BreakerState.Closed) return false;
        if (++_failures < _threshold) return false;
        Open(now);
        return true;
    }

    /// <summary>The probe ended without a verdict (cancelled, link down): the next request may probe at once.</summary>
    public void OnProbeAbandoned(long now)
    {
        if (State != BreakerState.HalfOpen) return;
        State = BreakerState.Open;
        OpenUntil = now;
    }

    public TimeSpan CurrentOpenPeriod(long frequency) => TimeSpan.FromSeconds((double)_openTicks / frequency);

    private void Open(long now)
    {
        State = BreakerState.Open;
        OpenUntil = now + _openTicks;
        _failures = 0;
    }
}

internal enum BreakerState { Closed, Open, HalfOpen }

internal enum BreakerAdmission { Allowed, Probe, Refused }
