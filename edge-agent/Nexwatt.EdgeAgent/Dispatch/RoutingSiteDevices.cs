using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// The site's devices for the dispatch engine: each target goes to the controller its device registered (an Enphase
/// gateway, a register-map battery), and to the SunSpec controls otherwise.
/// </summary>
internal sealed class RoutingSiteDevices(DeviceControlRegistry registry, ISiteDevices sunSpec) : ISiteDevices
{
    private ISiteDevices For(string deviceId) => registry.FindController(deviceId) ?? sunSpec;

    public ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken) =>
        For(deviceId).ReadStateAsync(deviceId, cancellationToken);

    public ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken) =>
        For(target.DeviceId).ApplyAsync(target, revertTimeout, measure, cancellationToken);

    public ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken) =>
        For(target.DeviceId).RestoreAsync(target, cancellationToken);
}
