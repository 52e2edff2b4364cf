namespace Nexwatt.EdgeAgent.Readings;

/// <summary>Where polled readings go: the durable buffer (which the uplink drains) and the structured log.</summary>
public interface IReadingSink
{
    ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken);
}
