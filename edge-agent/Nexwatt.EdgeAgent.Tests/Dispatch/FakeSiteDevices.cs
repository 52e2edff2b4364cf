using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>Devices in memory: records every apply and restore, measures exactly what was commanded.</summary>
internal sealed class FakeSiteDevices : ISiteDevices
{
    public Dictionary<string, DeviceControlState> States { get; } = new(StringComparer.Ordinal);

    public List<string> Log { get; } = [];

    public HashSet<string> FailingWrites { get; } = [];

    public ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken)
        => ValueTask.FromResult(States.GetValueOrDefault(deviceId));

    public ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken)
    {
        if (FailingWrites.Contains(target.DeviceId))
            return ValueTask.FromResult(new TargetResult { DeviceId = target.DeviceId, Result = SetpointAck.Types.Result.Rejected, Reason = "device fault: timeout", MeasuredW = double.NaN });
        Log.Add($"apply {target.DeviceId} {target.Watts} revert={revertTimeout.TotalSeconds}");
        return ValueTask.FromResult(new TargetResult { DeviceId = target.DeviceId, Result = SetpointAck.Types.Result.Applied, CommandedW = target.Watts, MeasuredW = target.Watts });
    }

    public ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken)
    {
        Log.Add($"restore {target.DeviceId}");
        return ValueTask.CompletedTask;
    }

    public static DeviceControlState Battery(string id, double soc = 60) => new(id, true, false, 5000, soc, 20);
}
