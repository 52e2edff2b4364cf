using System.Threading.Channels;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Session;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer created, with its due time, so a test can wait until the
/// client has armed a timer (a backoff delay, the keep-alive) before it advances the clock.
/// </summary>
internal sealed class ObservableTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _inner = new();
    private readonly Channel<TimeSpan> _created = global::System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();
    public override long GetTimestamp() => _inner.GetTimestamp();
    public override long TimestampFrequency => _inner.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _inner.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    public void Advance(TimeSpan delta) => _inner.Advance(delta);

    /// <summary>Waits for a timer with a due time matching <paramref name="match"/> and returns its due time.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var due = await _created.Reader.ReadAsync(cts.Token);
            if (match(due)) return due;
        }
    }
}

/// <summary>Random whose NextDouble is fixed (0 → every backoff is exactly half its step).</summary>
internal sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
}
