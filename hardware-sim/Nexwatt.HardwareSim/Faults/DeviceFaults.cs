namespace Nexwatt.HardwareSim.Faults;

/// <summary>What the injector decided for one request.</summary>
internal enum FaultDecision
{
    None,
    Drop,
    Exception,
    Garbage,
    Corrupt,
}

/// <summary>
/// The fault state of one device: the current plan, a seeded random source and the counters shown in the
/// status table. Decisions are drawn under a lock in request order, and every request consumes the same
/// number of random draws whatever the plan, so a given seed replays the same fault sequence.
/// </summary>
internal sealed class DeviceFaults
{
    private readonly object _gate = new();
    private readonly Random _random;
    private FaultPlan _plan;
    private long _requests;
    private long _injected;

    public DeviceFaults(FaultPlan plan, int seed)
    {
        _plan = plan;
        Seed = seed;
        _random = new Random(seed);
    }

    /// <summary>The device's seed; measurement noise derives its own stream from it.</summary>
    public int Seed { get; }

    public FaultPlan Plan
    {
        get { lock (_gate) return _plan; }
        set { lock (_gate) _plan = value; }
    }

    public long Requests => Interlocked.Read(ref _requests);

    public long Injected => Interlocked.Read(ref _injected);

    /// <summary>Draws the decision for the next request; <paramref name="delay"/> is the added latency.</summary>
    public FaultDecision Next(out TimeSpan delay, out byte[] garbage)
    {
        lock (_gate)
        {
            var n = ++_requests;
            var plan = _plan;
            // Fixed number of draws per request keeps the sequence independent of which faults are on.
            var dropDraw = _random.NextDouble();
            var exceptionDraw = _random.NextDouble();
            var garbageDraw = _random.NextDouble();
            var corruptDraw = _random.NextDouble();
            var slowDraw = _random.NextDouble();
            var garbageBytes = new byte[1 + _random.Next(12)];
            _random.NextBytes(garbageBytes);

            delay = plan.SlowMilliseconds > 0 && slowDraw < plan.SlowProbability ? TimeSpan.FromMilliseconds(plan.SlowMilliseconds) : TimeSpan.Zero;
            garbage = garbageBytes;
            var decision =
                (plan.DropEvery > 0 && n % plan.DropEvery == 0) || dropDraw < plan.DropProbability ? FaultDecision.Drop
                : exceptionDraw < plan.ExceptionProbability ? FaultDecision.Exception
                : garbageDraw < plan.GarbageProbability ? FaultDecision.Garbage
                : corruptDraw < plan.CorruptProbability ? FaultDecision.Corrupt
                : FaultDecision.None;
            if (decision != FaultDecision.None || delay > TimeSpan.Zero) _injected++;
            return decision;
        }
    }

    /// <summary>A per-device seed that is stable across runs (string.GetHashCode is randomized per process).</summary>
    public static int DeriveSeed(int siteSeed, string deviceName)
    {
        var hash = 2166136261u;
        foreach (var ch in deviceName)
        {
            hash ^= ch;
            hash *= 16777619u;
        }
        return unchecked((int)hash ^ siteSeed);
    }
}
