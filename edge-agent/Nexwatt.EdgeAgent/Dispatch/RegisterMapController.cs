using System.Collections.Concurrent;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// Drives a register-map battery the way <see cref="SunSpecSiteDevices"/> drives a SunSpec 124 battery: the state
/// for the limit checks read fresh, the target written with the device's own revert timer set (the map's control
/// section says which registers), read back and compared, re-asserted by the engine, and restored (the map's stop
/// writes, then the registers this agent changed put back as they were found). A map without a control section is
/// refused with a reason, and nothing is written.
/// </summary>
internal sealed class RegisterMapController(IModbusClient client, byte unitId, RegisterMap map, DispatchOptions options, TimeProvider time) : ISiteDevices
{
    private static readonly TimeSpan SettlePollInterval = TimeSpan.FromMilliseconds(250);

    // The control registers as found before this agent first wrote them, by point name.
    private readonly ConcurrentDictionary<string, ushort[]> _original = new(StringComparer.Ordinal);

    private string NoControl => $"register map {map.Name} has no control section: the device is read only";

    public async ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (map.Control is not { } control)
            return new DeviceControlState(deviceId, false, false, null, null, null) { NoStorageControlReason = NoControl };
        var values = await ReadAsync(StatePoints(control), cancellationToken).ConfigureAwait(false);
        return new DeviceControlState(deviceId, true, false, Rating(control, values), values[control.StateOfChargePoint].Value.AsNumber,
            control.ReservePoint is { } reserve ? values[reserve].Value.AsNumber : null) { ReassertWithin = control.ReassertWithin };
    }

    public async ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken)
    {
        var result = new TargetResult { DeviceId = target.DeviceId, MeasuredW = double.NaN };
        if (map.Control is not { } control) return Rejected(result, NoControl);
        if (target.Kind != TargetKind.BatteryPower) return Rejected(result, $"register map {map.Name} controls battery power only, not an export limit");
        try
        {
            var state = await ReadAsync(StatePoints(control), cancellationToken).ConfigureAwait(false);
            if (Rating(control, state) is not { } rating || rating <= 0) return Rejected(result, $"device does not state its rating ({control.Rating.Point})");
            var watts = Math.Clamp(target.Watts, -rating, rating);
            // Zero holds the battery idle through a forced discharge at 0 W; stop would hand it back to its own program.
            var steps = watts < 0 ? control.Charge : control.Discharge;
            var writes = await EncodeAsync(steps, watts, rating, revertTimeout, cancellationToken).ConfigureAwait(false);
            await RememberAsync(writes, cancellationToken).ConfigureAwait(false);
            foreach (var (point, words) in writes) await WriteAsync(point, words, cancellationToken).ConfigureAwait(false);

            foreach (var (point, words) in writes)
            {
                var back = await ReadRawAsync(point, cancellationToken).ConfigureAwait(false);
                if (!back.AsSpan().SequenceEqual(words)) return Rejected(result, $"read-back of {point.Name} does not match what was written");
            }
            result.CommandedW = watts;
            if (measure) result.MeasuredW = await SettleAsync(control, watts, Math.Max(50, rating * 0.02), cancellationToken).ConfigureAwait(false);
            result.Result = SetpointAck.Types.Result.Applied;
            return result;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return Rejected(result, $"target cannot be written: {ex.Message}");
        }
        catch (Exception ex) when (DispatchEngine.IsDeviceFault(ex))
        {
            return Rejected(result, $"device fault: {ex.Message}");
        }
    }

    public async ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken)
    {
        if (map.Control is not { } control) return;
        var stop = await EncodeAsync(control.Stop, 0, 0, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        foreach (var (point, words) in stop) await WriteAsync(point, words, cancellationToken).ConfigureAwait(false);
        // Then what the target changed and stop did not set goes back as it was found (a power register, a timer).
        var stopped = stop.Select(w => w.Point.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _original.Keys.ToList())
        {
            if (!_original.TryRemove(name, out var words) || stopped.Contains(name)) continue;
            await WriteAsync(map.Get(name), words, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> StatePoints(MapControl control) =>
        new[] { control.StateOfChargePoint, control.ReservePoint, control.Rating.Point }.OfType<string>().Distinct();

    private static double? Rating(MapControl control, IReadOnlyDictionary<string, PointReading> values) =>
        control.Rating.Watts ?? (control.Rating.Point is { } p ? values[p].Value.AsNumber : null);

    private async Task<List<(RegisterPoint Point, ushort[] Words)>> EncodeAsync(IReadOnlyList<ControlWrite> steps, double watts, double rating,
        TimeSpan revert, CancellationToken cancellationToken)
    {
        var exponents = await ScaleExponentsAsync(steps.Select(s => map.Get(s.Point)), cancellationToken).ConfigureAwait(false);
        var writes = new List<(RegisterPoint, ushort[])>();
        foreach (var step in steps)
        {
            var point = map.Get(step.Point);
            var value = step.Value switch
            {
                ControlValue.Constant => step.Constant,
                ControlValue.PowerWatts => Math.Abs(watts),
                ControlValue.SignedPowerWatts => watts * point.Sign, // ours (discharge positive) to the register's own sign
                ControlValue.PowerPercentOfRating => rating > 0 ? Math.Min(100, Math.Abs(watts) / rating * 100) : 0,
                ControlValue.NegatedPowerPercentOfRating => rating > 0 ? -Math.Min(100, Math.Abs(watts) / rating * 100) : 0,
                ControlValue.RevertSeconds => Math.Ceiling(revert.TotalSeconds),
                ControlValue.RevertMinutes => Math.Ceiling(revert.TotalMinutes),
                _ => throw new InvalidOperationException($"control value {step.Value} is not handled"),
            };
            var words = new ushort[point.Count];
            PointCodec.Encode(point, value, words, exponents.GetValueOrDefault(point.Name));
            writes.Add((point, words));
        }
        return writes;
    }

    private async Task<Dictionary<string, int>> ScaleExponentsAsync(IEnumerable<RegisterPoint> points, CancellationToken cancellationToken)
    {
        var scaled = points.Where(p => p.ScaleRegister is not null).ToList();
        if (scaled.Count == 0) return [];
        var factors = await ReadAsync(scaled.Select(p => p.ScaleRegister!).Distinct(), cancellationToken).ConfigureAwait(false);
        // A scale factor the device does not give makes the register unwritable: refusing beats writing a guess.
        return scaled.ToDictionary(p => p.Name, p => (int)(factors[p.ScaleRegister!].Value.AsNumber
            ?? throw new ArgumentOutOfRangeException(p.Name, $"{p.ScaleRegister} is not available")));
    }

    private async Task RememberAsync(List<(RegisterPoint Point, ushort[] Words)> writes, CancellationToken cancellationToken)
    {
        foreach (var (point, _) in writes)
            if (!_original.ContainsKey(point.Name)) _original.TryAdd(point.Name, await ReadRawAsync(point, cancellationToken).ConfigureAwait(false));
    }

    private async Task<IReadOnlyDictionary<string, PointReading>> ReadAsync(IEnumerable<string> names, CancellationToken cancellationToken) =>
        (await RegisterMapReader.ReadAsync(client, map, unitId, names.Select(map.Get).ToList(), cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.Point.Name, StringComparer.Ordinal);

    private async Task<ushort[]> ReadRawAsync(RegisterPoint point, CancellationToken cancellationToken)
    {
        var unit = point.UnitId ?? unitId;
        if (point.Kind == RegisterKind.Coil)
            return (await client.ReadCoilsAsync(unit, point.Address, 1, cancellationToken).ConfigureAwait(false))[0] ? [1] : [0];
        return await client.ReadHoldingRegistersAsync(unit, point.Address, (ushort)point.Count, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(RegisterPoint point, ushort[] words, CancellationToken cancellationToken)
    {
        var unit = point.UnitId ?? unitId;
        if (point.Kind == RegisterKind.Coil) await client.WriteSingleCoilAsync(unit, point.Address, words[0] != 0, cancellationToken).ConfigureAwait(false);
        else await client.WriteMultipleRegistersAsync(unit, point.Address, words, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Measures until the battery is within tolerance of the command or the settle time is up (the device updates on its own tick).</summary>
    private async Task<double> SettleAsync(MapControl control, double commanded, double tolerance, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + options.MeasureSettleTime;
        while (true)
        {
            var measured = (await ReadAsync([control.MeasuredPowerPoint], cancellationToken).ConfigureAwait(false))[control.MeasuredPowerPoint].CanonicalValue ?? double.NaN;
            if (Math.Abs(measured - commanded) <= tolerance || time.GetUtcNow() >= until) return measured;
            await Task.Delay(SettlePollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TargetResult Rejected(TargetResult result, string reason)
    {
        result.Result = SetpointAck.Types.Result.Rejected;
        result.Reason = reason;
        return result;
    }
}
