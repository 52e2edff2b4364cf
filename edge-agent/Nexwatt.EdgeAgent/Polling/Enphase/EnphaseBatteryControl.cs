using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protocols.Enphase;
using Nexwatt.Protocols.Enphase.Decoding;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

/// <summary>
/// Dispatch of an Enphase gateway's batteries, honestly limited to what the local API takes: the whole
/// /admin/lib/tariff document by PUT. A charge target becomes charge_from_grid = true; a hold (0 W) becomes a reserve
/// raised to the present state of charge; a discharge cannot be commanded and is rejected with the reason. Every write
/// is read back: a write the gateway accepts but does not keep (8.2.42xx and later, or reverted by the cloud) is
/// PARTIAL, never APPLIED. The document as it was before the first write is put back by <see cref="RestoreAsync"/>
/// (window end, stop, agent stopping). The gateway's document is shared by all its batteries, so every battery id of
/// one gateway drives the same document.
/// </summary>
internal sealed class EnphaseBatteryControl(GatewayClient client, Func<double?> stateOfCharge, double? ratingWatts) : ISiteDevices
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TariffDocument? _original;

    public async ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken)
    {
        var tariff = await ReadTariffAsync(cancellationToken).ConfigureAwait(false);
        return new DeviceControlState(deviceId, tariff.HasStorageSettings, HasCurtailmentControls: false, RatingWatts: ratingWatts,
            StateOfChargePercent: stateOfCharge(), ReservePercent: tariff.ReservedSocPct)
        {
            NoRatingReason = $"device {deviceId} has no rating: the Enphase local API states none; set its gateway's Enphase:BatteryRatingW",
        };
    }

    public async ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken)
    {
        var result = new TargetResult { DeviceId = target.DeviceId, MeasuredW = double.NaN, CommandedW = 0 };
        if (target.Kind != TargetKind.BatteryPower)
            return Outcome(result, SetpointAck.Types.Result.Rejected, "the Enphase local API has no export limit control");
        if (target.Watts > 0)
            return Outcome(result, SetpointAck.Types.Result.Rejected,
                "the Enphase local API cannot command a discharge (it takes storage mode, reserve and charge-from-grid only)");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadTariffAsync(cancellationToken).ConfigureAwait(false);
            if (!current.HasStorageSettings)
                return Outcome(result, SetpointAck.Types.Result.Rejected, "the gateway's tariff has no storage_settings (no battery configured)");
            _original ??= current;
            var charge = target.Watts < 0;
            double? reserve = null;
            if (!charge)
            {
                if (stateOfCharge() is not { } soc)
                    return Outcome(result, SetpointAck.Types.Result.Rejected, "hold needs the battery state of charge, which the gateway has not reported");
                reserve = Math.Min(100, Math.Ceiling(soc));
            }
            var wanted = charge ? current.With(chargeFromGrid: true) : current.With(reservedSocPct: reserve);
            var put = await client.PutJsonAsync(TariffDocument.Endpoint, wanted.ToUtf8(), cancellationToken).ConfigureAwait(false);
            if (put.StatusCode is < 200 or > 299)
                return Outcome(result, SetpointAck.Types.Result.Rejected, $"the gateway refused the tariff write (HTTP {put.StatusCode})");
            var back = await ReadTariffAsync(cancellationToken).ConfigureAwait(false);
            var kept = charge ? back.ChargeFromGrid == true : back.ReservedSocPct >= reserve;
            if (!kept)
                return Outcome(result, SetpointAck.Types.Result.Partial, charge
                    ? $"the gateway accepted charge_from_grid=true but reads back {back.ChargeFromGrid?.ToString() ?? "nothing"} (ignored by the firmware or reverted by the cloud)"
                    : $"the gateway accepted reserved_soc={reserve} but reads back {back.ReservedSocPct?.ToString() ?? "nothing"} (ignored by the firmware or reverted by the cloud)");
            result.CommandedW = target.Watts;
            return Outcome(result, SetpointAck.Types.Result.Applied, charge
                ? "charge_from_grid on (read back); the gateway chooses the charge power"
                : $"reserve raised to {reserve} % (read back): the battery holds");
        }
        catch (Exception e) when (e is EnphaseException or HttpRequestException or TimeoutException or IOException)
        {
            return Outcome(result, SetpointAck.Types.Result.Rejected, $"tariff write failed: {e.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_original is not { } original) return;
            var put = await client.PutJsonAsync(TariffDocument.Endpoint, original.ToUtf8(), cancellationToken).ConfigureAwait(false);
            if (put.StatusCode is < 200 or > 299)
                throw new EnphaseFormatException(TariffDocument.Endpoint, $"restoring the original tariff document failed (HTTP {put.StatusCode})");
            _original = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TariffDocument> ReadTariffAsync(CancellationToken cancellationToken)
    {
        var response = await client.GetAsync(TariffDocument.Endpoint, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != 200)
            throw new EnphaseFormatException(TariffDocument.Endpoint, $"HTTP {response.StatusCode}");
        return TariffDocument.Decode(response.Body);
    }

    private static TargetResult Outcome(TargetResult result, SetpointAck.Types.Result outcome, string reason)
    {
        result.Result = outcome;
        result.Reason = reason;
        return result;
    }
}
