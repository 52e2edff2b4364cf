using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>The site's controllable devices as the dispatch engine sees them (SunSpec over Modbus in production, a fake in tests).</summary>
internal interface ISiteDevices
{
    /// <summary>Reads what the limit checks need, fresh; null when no such device was discovered.</summary>
    /// <exception cref="Exception">A device or link fault (see <see cref="DispatchEngine"/> for the kinds caught).</exception>
    ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the target with the device's revert timer set and reads it back; faults become a rejected result. With
    /// <paramref name="measure"/> (a first apply, not a re-assert) it also reads the device's power for the answer.
    /// </summary>
    ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken);

    /// <summary>Puts the device back into normal operation (the control the target used is disabled).</summary>
    ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken);
}
