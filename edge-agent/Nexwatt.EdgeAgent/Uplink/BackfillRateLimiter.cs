namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// A token bucket for replayed readings: it fills at the configured rate up to one second's worth, so that
/// after an outage the backlog drains steadily and never crowds live readings off the link.
/// </summary>
internal sealed class BackfillRateLimiter(int readingsPerSecond, TimeProvider time)
{
    private double _tokens = readingsPerSecond;
    private long _lastRefill = time.GetTimestamp();

    /// <summary>Waits until <paramref name="readings"/> may be sent; a batch larger than the bucket waits for a full bucket.</summary>
    public async ValueTask WaitAsync(int readings, CancellationToken cancellationToken)
    {
        var needed = Math.Min(readings, readingsPerSecond);
        while (true)
        {
            Refill();
            if (_tokens >= needed)
            {
                _tokens -= readings;
                return;
            }
            var wait = TimeSpan.FromSeconds((needed - _tokens) / readingsPerSecond);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(readingsPerSecond, _tokens + time.GetElapsedTime(_lastRefill, now).TotalSeconds * readingsPerSecond);
        _lastRefill = now;
    }
}
