namespace Nexwatt.EdgeAgent.Polling;

/// <summary>The health of one device as its poller sees it; read by status reports and tests.</summary>
public sealed record DeviceHealth(
    string DeviceId,
    bool Healthy,
    int ConsecutiveFailures,
    DateTimeOffset? LastSuccess,
    string? LastError,
    long Polls,
    long FailedPolls);

/// <summary>Thread-safe board of every device's health, one writer per device.</summary>
public sealed class DeviceHealthBoard
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeviceHealth> _devices = new(StringComparer.Ordinal);

    public IReadOnlyCollection<DeviceHealth> Snapshot() => _devices.Values.OrderBy(d => d.DeviceId, StringComparer.Ordinal).ToArray();

    public DeviceHealth? Get(string deviceId) => _devices.TryGetValue(deviceId, out var health) ? health : null;

    internal void Set(DeviceHealth health) => _devices[health.DeviceId] = health;
}
