namespace Nexwatt.HardwareSim.Devices;

/// <summary>
/// A commanded value that falls back to its default when its revert timeout (SunSpec <c>*_RvrtTms</c>)
/// runs out without a new write. A timeout of zero means the command holds until changed.
/// Times are simulated instants; the owning device serializes access.
/// </summary>
internal sealed class RevertibleSetting<T>(T defaultValue)
{
    public T Default { get; } = defaultValue;

    public T Value { get; private set; } = defaultValue;

    /// <summary>When the value reverts, or null when it holds.</summary>
    public DateTimeOffset? RevertAt { get; private set; }

    public bool IsDefault => EqualityComparer<T>.Default.Equals(Value, Default);

    /// <summary>Applies a new command; every write restarts the revert timer, as the SunSpec models specify.</summary>
    public void Set(T value, TimeSpan revertAfter, DateTimeOffset now)
    {
        Value = value;
        RevertAt = revertAfter > TimeSpan.Zero ? now + revertAfter : null;
    }

    /// <summary>Reverts to the default when the timeout has run out; true when it did so just now.</summary>
    public bool RevertIfDue(DateTimeOffset now)
    {
        if (RevertAt is not { } at || now < at) return false;
        Value = Default;
        RevertAt = null;
        return true;
    }
}
