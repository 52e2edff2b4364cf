namespace Nexwatt.HardwareSim.Simulation;

/// <summary>
/// Simulated wall-clock time: starts at a chosen instant and runs <see cref="Speed"/> times faster than the
/// real clock, so a technician can watch a whole solar day in minutes. Reads only the injected TimeProvider.
/// </summary>
internal sealed class SimulationClock
{
    private readonly TimeProvider _real;
    private readonly long _startTimestamp;

    public SimulationClock(TimeProvider real, DateTimeOffset start, double speed)
    {
        if (!(speed > 0) || double.IsInfinity(speed)) throw new ArgumentOutOfRangeException(nameof(speed), "The clock speed must be a positive number.");
        _real = real;
        _startTimestamp = real.GetTimestamp();
        Start = start;
        Speed = speed;
    }

    public DateTimeOffset Start { get; }

    public double Speed { get; }

    public TimeProvider RealTime => _real;

    public DateTimeOffset Now => Start + TimeSpan.FromTicks((long)(_real.GetElapsedTime(_startTimestamp).Ticks * Speed));
}
