using System.Collections.Concurrent;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// Applies targets through the devices' own SunSpec controls. Battery power: model 124 (StorCtl_Mod bit 0 = charge at
/// InWRte, bit 1 = discharge at OutWRte, both in % of WChaMax, held for InOutWRte_RvrtTms seconds). Export limit:
/// model 123 (WMaxLimPct, WMaxLimPct_RvrtTms, WMaxLim_Ena). Model 704 (DER controls) is not driven yet: devices that
/// offer only 704 are rejected as having no storage control, which is safe (nothing is written).
/// </summary>
internal sealed class SunSpecSiteDevices(DeviceControlRegistry registry, DispatchOptions options, TimeProvider time) : ISiteDevices
{
    private const string Mode = "StorCtl_Mod";
    private const string OutRate = "OutWRte";
    private const string InRate = "InWRte";
    private const string RateRevert = "InOutWRte_RvrtTms";
    private const string LimitPercent = "WMaxLimPct";
    private const string LimitRevert = "WMaxLimPct_RvrtTms";
    private const string LimitEnable = "WMaxLim_Ena";
    private static readonly string[] StoragePoints = [Mode, OutRate, InRate, RateRevert];
    private static readonly string[] LimitPoints = [LimitPercent, LimitRevert, LimitEnable];
    private static readonly ushort[] InverterModels = [103, 102, 101];
    private static readonly TimeSpan SettlePollInterval = TimeSpan.FromMilliseconds(250);

    // The control registers as found before this agent first wrote them, so that a restore puts them back.
    private readonly ConcurrentDictionary<(string DeviceId, ushort Model), Dictionary<string, long>> _original = new();

    public async ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (registry.Find(deviceId) is not { } port) return null;
        double? rating = null, reserve = null, soc = null;
        var storage = port.Map.Find(DispatchLimits.StorageModel);
        if (storage?.IsKnown == true)
        {
            var block = await ReadAsync(port, storage, cancellationToken).ConfigureAwait(false);
            rating = block.Read("WChaMax").Value;
            reserve = block.Read("MinRsvPct").Value;
            soc = block.Read("ChaState").Value;
        }
        // Model 802 SoC is the battery's own figure; prefer it to the converter's 124 ChaState.
        if (port.Map.Find(802) is { IsKnown: true } battery)
            soc = (await ReadAsync(port, battery, cancellationToken).ConfigureAwait(false)).Read("SoC").Value ?? soc;
        return new DeviceControlState(deviceId, storage?.IsKnown == true, port.Map.Find(DispatchLimits.ControlsModel)?.IsKnown == true, rating, soc, reserve);
    }

    public async ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken)
    {
        var result = new TargetResult { DeviceId = target.DeviceId, MeasuredW = double.NaN };
        if (registry.Find(target.DeviceId) is not { } port) return Rejected(result, "device is no longer discovered");
        try
        {
            return target.Kind == TargetKind.BatteryPower
                ? await ApplyPowerAsync(port, target, revertTimeout, measure, result, cancellationToken).ConfigureAwait(false)
                : await ApplyLimitAsync(port, target, revertTimeout, measure, result, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DispatchEngine.IsDeviceFault(ex))
        {
            return Rejected(result, $"device fault: {ex.Message}");
        }
    }

    public async ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken)
    {
        if (registry.Find(target.DeviceId) is not { } port) return;
        var model = target.Kind == TargetKind.BatteryPower ? DispatchLimits.StorageModel : DispatchLimits.ControlsModel;
        if (port.Map.Find(model) is not { IsKnown: true } location) return;
        var block = await ReadAsync(port, location, cancellationToken).ConfigureAwait(false);
        var original = _original.TryRemove((target.DeviceId, model), out var saved) ? saved : null;
        long Original(string point, long fallback) => original is not null && original.TryGetValue(point, out var raw) ? raw : fallback;
        if (target.Kind == TargetKind.BatteryPower)
        {
            block.WriteRaw(OutRate, Original(OutRate, 0));
            block.WriteRaw(InRate, Original(InRate, 0));
            block.WriteRaw(RateRevert, Original(RateRevert, 0));
            block.WriteRaw(Mode, 0);
            await WriteAsync(port, location, block, StoragePoints, Mode, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            block.WriteRaw(LimitRevert, Original(LimitRevert, 0));
            block.WriteRaw(LimitEnable, 0);
            if (original is not null && original.TryGetValue(LimitPercent, out var percent)) block.WriteRaw(LimitPercent, percent);
            await WriteAsync(port, location, block, LimitPoints, LimitEnable, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TargetResult> ApplyPowerAsync(DeviceControlPort port, PlannedTarget target, TimeSpan revert, bool measure, TargetResult result, CancellationToken cancellationToken)
    {
        var location = port.Map.Find(DispatchLimits.StorageModel)!;
        var block = await ReadAsync(port, location, cancellationToken).ConfigureAwait(false);
        Remember(port, location.ModelId, block, StoragePoints);
        var rating = block.Read("WChaMax").Value ?? 0;
        if (rating <= 0) return Rejected(result, "device does not state its rating (WChaMax)");
        var percent = Math.Min(100, Math.Abs(target.Watts) / rating * 100);
        block.WriteScaled(OutRate, target.Watts > 0 ? percent : 0);
        block.WriteScaled(InRate, target.Watts < 0 ? percent : 0);
        block.WriteRaw(RateRevert, (long)revert.TotalSeconds);
        block.WriteRaw(Mode, target.Watts > 0 ? 2 : target.Watts < 0 ? 1 : 0);
        await WriteAsync(port, location, block, StoragePoints, Mode, cancellationToken).ConfigureAwait(false);

        var check = await ReadAsync(port, location, cancellationToken).ConfigureAwait(false);
        if (Mismatch(block, check, StoragePoints) is { } point) return Rejected(result, $"read-back of {point} does not match what was written");
        var commandedPercent = (target.Watts > 0 ? check.Read(OutRate).Value : check.Read(InRate).Value) ?? 0;
        result.CommandedW = Math.Sign(target.Watts) * commandedPercent / 100 * rating;
        if (measure) result.MeasuredW = await SettleAsync(port, result.CommandedW, Math.Max(50, rating * 0.02), cancellationToken).ConfigureAwait(false);
        result.Result = SetpointAck.Types.Result.Applied;
        return result;
    }

    private async Task<TargetResult> ApplyLimitAsync(DeviceControlPort port, PlannedTarget target, TimeSpan revert, bool measure, TargetResult result, CancellationToken cancellationToken)
    {
        var location = port.Map.Find(DispatchLimits.ControlsModel)!;
        var block = await ReadAsync(port, location, cancellationToken).ConfigureAwait(false);
        Remember(port, location.ModelId, block, LimitPoints);
        block.WriteScaled(LimitPercent, target.ExportLimitPercent);
        block.WriteRaw(LimitRevert, (long)revert.TotalSeconds);
        block.WriteRaw(LimitEnable, 1);
        await WriteAsync(port, location, block, LimitPoints, LimitEnable, cancellationToken).ConfigureAwait(false);

        var check = await ReadAsync(port, location, cancellationToken).ConfigureAwait(false);
        if (Mismatch(block, check, LimitPoints) is { } point) return Rejected(result, $"read-back of {point} does not match what was written");
        if (measure) result.MeasuredW = await MeasureAsync(port, cancellationToken).ConfigureAwait(false);
        result.Result = SetpointAck.Types.Result.Applied;
        return result;
    }

    /// <summary>
    /// Measures until the power is within <paramref name="tolerance"/> of <paramref name="commanded"/> or the settle time
    /// is up, and returns the last reading: a device publishes its measurements on its own tick, after the write.
    /// </summary>
    private async Task<double> SettleAsync(DeviceControlPort port, double commanded, double tolerance, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + options.MeasureSettleTime;
        while (true)
        {
            var measured = await MeasureAsync(port, cancellationToken).ConfigureAwait(false);
            if (Math.Abs(measured - commanded) <= tolerance || time.GetUtcNow() >= until) return measured;
            await Task.Delay(SettlePollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Active power out of the device (discharge / export positive): model 802 W, else the inverter model's W.</summary>
    private static async Task<double> MeasureAsync(DeviceControlPort port, CancellationToken cancellationToken)
    {
        foreach (var model in (ushort[])[802, .. InverterModels])
        {
            if (port.Map.Find(model) is not { IsKnown: true } location) continue;
            var block = await ReadAsync(port, location, cancellationToken).ConfigureAwait(false);
            if (block.Read("W").Value is { } watts) return watts;
        }
        return double.NaN;
    }

    private void Remember(DeviceControlPort port, ushort model, SunSpecModelBlock block, string[] points)
        => _original.TryAdd((port.DeviceId, model), points.ToDictionary(p => p, p => block.Read(p).Raw));

    private static string? Mismatch(SunSpecModelBlock written, SunSpecModelBlock read, string[] points)
        => points.FirstOrDefault(p => written.Read(p).Raw != read.Read(p).Raw);

    private static async Task WriteAsync(DeviceControlPort port, SunSpecModelLocation location, SunSpecModelBlock block, string[] points, string enabling, CancellationToken cancellationToken)
    {
        foreach (var run in RegisterRuns.Plan(block, points, enabling))
            await port.Client.WriteMultipleRegistersAsync(port.UnitId, (ushort)(location.Address + run.Offset), run.Values, cancellationToken).ConfigureAwait(false);
    }

    private static Task<SunSpecModelBlock> ReadAsync(DeviceControlPort port, SunSpecModelLocation location, CancellationToken cancellationToken)
        => SunSpecDeviceReader.ReadModelAsync(port.Client, port.UnitId, location, port.WordOrder, cancellationToken);

    private static TargetResult Rejected(TargetResult result, string reason)
    {
        result.Result = SetpointAck.Types.Result.Rejected;
        result.Reason = reason;
        return result;
    }
}
