using Nexwatt.EdgeAgent.Readings;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// One device as its poller sees it, whatever it speaks (SunSpec over Modbus, an Enphase gateway, a register map):
/// what one poll reads, and which faults are the device's. The poller owns the schedule, the backoff, the health
/// board and the sink, so every kind of device gets the same guarantees.
/// </summary>
internal interface IDeviceSource
{
    /// <summary>Where the device is reached, for logs and status (e.g. "10.0.0.5:502/1", "https://envoy.local").</summary>
    string Endpoint { get; }

    /// <summary>One poll: discover when needed, read, decode. Readings are in the project's sign convention.</summary>
    /// <exception cref="Exception">A device or link fault (see <see cref="IsDeviceFault"/>), or a bug.</exception>
    ValueTask<PolledReadings> ReadAsync(CancellationToken cancellationToken);

    /// <summary>True for faults of the device or its link, which are retried with backoff; anything else is a bug and surfaces.</summary>
    bool IsDeviceFault(Exception exception);

    /// <summary>After a failed poll: forget what the fault invalidates (a discovered layout, a session).</summary>
    void OnFault(Exception exception);
}

/// <summary>What one poll read: the instant it stands for (one per poll) and the readings.</summary>
internal sealed record PolledReadings(DateTimeOffset Timestamp, IReadOnlyList<Reading> Readings);
