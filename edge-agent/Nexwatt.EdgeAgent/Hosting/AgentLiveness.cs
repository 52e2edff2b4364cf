namespace Nexwatt.EdgeAgent.Hosting;

/// <summary>
/// Whether the agent's loops are making progress, for the systemd watchdog. Each loop (a device poller, the uplink)
/// holds a <see cref="Heartbeat"/> and says before each wait when it will be back; a loop that is not back by then plus
/// a grace is stalled. A loop waiting on something outside the agent with no bound (the uplink while the link is
/// down) says so with <see cref="Heartbeat.Idle"/>: an outage is not a hang, and restarting would not end it.
/// </summary>
internal sealed class AgentLiveness(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<Heartbeat> _beats = [];

    /// <summary>A heartbeat for one loop, due at once (the loop is starting); dispose it when the loop ends.</summary>
    public Heartbeat Register(string name)
    {
        var beat = new Heartbeat(this, name, time);
        lock (_gate) _beats.Add(beat);
        return beat;
    }

    /// <summary>The first loop overdue by more than <paramref name="grace"/>, or null when every loop is on time.</summary>
    public string? FindStalled(TimeSpan grace)
    {
        var now = time.GetUtcNow();
        lock (_gate)
            foreach (var beat in _beats)
                if (beat.DueBy is { } due && now > due + grace)
                    return $"{beat.Name} (due {due:HH:mm:ss}Z)";
        return null;
    }

    private void Remove(Heartbeat beat)
    {
        lock (_gate) _beats.Remove(beat);
    }

    internal sealed class Heartbeat : IDisposable
    {
        private readonly AgentLiveness _owner;
        private readonly TimeProvider _time;
        private long _dueTicks;

        internal Heartbeat(AgentLiveness owner, string name, TimeProvider time)
        {
            _owner = owner;
            _time = time;
            Name = name;
            _dueTicks = time.GetUtcNow().UtcTicks;
        }

        public string Name { get; }

        /// <summary>When the loop said it would be back; null while idle.</summary>
        public DateTimeOffset? DueBy => Interlocked.Read(ref _dueTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

        /// <summary>The loop is running and will beat again within <paramref name="within"/> (zero: it is working now).</summary>
        public void Beat(TimeSpan within) => Interlocked.Exchange(ref _dueTicks, (_time.GetUtcNow() + within).UtcTicks);

        /// <summary>The loop waits on something outside the agent with no bound; it is not expected until it beats again.</summary>
        public void Idle() => Interlocked.Exchange(ref _dueTicks, 0);

        public void Dispose() => _owner.Remove(this);
    }
}
