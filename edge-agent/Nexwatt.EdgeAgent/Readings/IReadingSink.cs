namespace Nexwatt.EdgeAgent.Readings;

/// <summary>Where polled readings go. Today the structured log; the durable buffer and uplink replace it.</summary>
public interface IReadingSink
{
    ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken);
}
