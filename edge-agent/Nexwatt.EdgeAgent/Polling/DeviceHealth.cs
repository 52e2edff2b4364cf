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

/// <summary>What a device is, as its discovery found it.</summary>
public sealed record DeviceDescription(
    string DeviceId,
    string Endpoint,
    int UnitId,
    string? Manufacturer,
    string? Model,
    string? SerialNumber,
    IReadOnlyList<ushort> ModelIds);

/// <summary>Thread-safe board of every device's health and identity, one writer per device.</summary>
public sealed class DeviceHealthBoard
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeviceHealth> _devices = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeviceDescription> _descriptions = new(StringComparer.Ordinal);

    public DeviceDescription? Describe(string deviceId) => _descriptions.TryGetValue(deviceId, out var description) ? description : null;

    internal void SetDescription(DeviceDescription description) => _descriptions[description.DeviceId] = description;

    public IReadOnlyCollection<DeviceHealth> Snapshot() => _devices.Values.OrderBy(d => d.DeviceId, StringComparer.Ordinal).ToArray();

    public DeviceHealth? Get(string deviceId) => _devices.TryGetValue(deviceId, out var health) ? health : null;

    internal void Set(DeviceHealth health) => _devices[health.DeviceId] = health;
}
