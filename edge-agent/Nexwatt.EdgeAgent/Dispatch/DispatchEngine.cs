using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>Where the answer to one setpoint goes (the transport it came from). Must not block: transports queue.</summary>
internal delegate void AckSink(SetpointAck ack);

/// <summary>
/// The site's side of dispatch: verifies each setpoint, checks the limits, applies it through the devices' controls,
/// holds it (re-asserting well inside the devices' revert timeout) from start to expiry, and restores normal
/// operation at expiry, on a setpoint with no targets, for devices a replacing setpoint drops, and at shutdown.
/// Driven by one loop (<see cref="SetpointDispatcher"/>): nothing here is thread-safe, and nothing needs to be.
/// </summary>
internal sealed class DispatchEngine(SetpointVerifier verifier, ISiteDevices devices, DispatchOptions options, string siteId, TimeProvider time, ILogger logger,
    Observability.AgentMetrics? metrics = null)
{
    private readonly Dictionary<string, Held> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Held> _active = new(StringComparer.Ordinal);

    /// <summary>Dispatches being held now, with their targets (for tests and status).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PlannedTarget>> Active => _active.ToDictionary(a => a.Key, a => (IReadOnlyList<PlannedTarget>)a.Value.Targets);

    /// <summary>When <see cref="RunDueAsync"/> next has work: a start, a re-assert or an expiry; null when idle.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            var due = _pending.Values.Select(p => p.Start).Concat(_active.Values.SelectMany(a => new[] { a.NextReassert, a.Expiry }));
            return due.Any() ? due.Min() : null;
        }
    }

    /// <summary>Handles one received setpoint; its answer goes to <paramref name="reply"/> now, or at its start.</summary>
    public async Task HandleAsync(ReadOnlyMemory<byte> payload, AckSink reply, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (verifier.Verify(payload.Span, now))
        {
            case SetpointVerdict.Rejected rejected:
                DispatchLog.Rejected(logger, rejected.SetpointId, rejected.Reason);
                metrics?.SetpointRejected(Observability.SetpointRejection.Verification);
                reply(Ack(rejected.SetpointId, rejected.DispatchId, SetpointAck.Types.Result.Rejected, rejected.Reason, []));
                return;
            case SetpointVerdict.Duplicate duplicate:
                DispatchLog.Duplicate(logger, duplicate.SetpointId);
                if (duplicate.PreviousAck is { } previous) reply(previous);
                return;
            case SetpointVerdict.Accepted { Setpoint: var setpoint }:
                verifier.Accept(setpoint);
                var held = new Held(setpoint, reply, WireTime.FromMicroseconds(setpoint.StartTimeUs), WireTime.FromMicroseconds(setpoint.ExpiryTimeUs));
                if (setpoint.Targets.Count == 0)
                {
                    // "Stop now": whatever the start time says, the site's part in the dispatch ends at once.
                    _pending.Remove(setpoint.DispatchId);
                    if (_active.Remove(setpoint.DispatchId, out var stopped))
                        await RestoreAsync(stopped, stopped.Targets, "stopped by the collector", cancellationToken).ConfigureAwait(false);
                    Answer(held, SetpointAck.Types.Result.Applied, "stopped", []);
                    return;
                }
                if (held.Start > now)
                {
                    DispatchLog.Waiting(logger, setpoint.SetpointId, setpoint.DispatchId, held.Start);
                    _pending[setpoint.DispatchId] = held;
                    return;
                }
                await StartAsync(held, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Starts setpoints whose start has come, re-asserts held ones that are due, and ends expired ones.</summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var expired in _active.Values.Where(a => a.Expiry <= now).ToList())
        {
            _active.Remove(expired.Setpoint.DispatchId);
            await RestoreAsync(expired, expired.Targets, "window ended", cancellationToken).ConfigureAwait(false);
        }
        foreach (var due in _pending.Values.Where(p => p.Start <= now).ToList())
        {
            _pending.Remove(due.Setpoint.DispatchId);
            if (due.Expiry <= now) continue;
            await StartAsync(due, cancellationToken).ConfigureAwait(false);
        }
        foreach (var held in _active.Values.Where(a => a.NextReassert <= now).ToList())
        {
            await StopAtReserveAsync(held, cancellationToken).ConfigureAwait(false);
            var results = await Task.WhenAll(held.Targets.Select(target => devices.ApplyAsync(target, options.RevertTimeout, measure: false, cancellationToken).AsTask())).ConfigureAwait(false);
            for (var i = 0; i < results.Length; i++)
                if (results[i].Result != SetpointAck.Types.Result.Applied) DispatchLog.ReassertFailed(logger, held.Setpoint.DispatchId, held.Targets[i].DeviceId, results[i].Reason);
            // Keep the cadence from the previous due time; skip beats a slow round overran.
            do held.NextReassert += held.ReassertInterval(options); while (held.NextReassert <= now);
        }
    }

    /// <summary>
    /// Ends the discharge of every held device whose state of charge reached the subscriber's reserve. Checked at each
    /// re-assert: the collector sizes a discharge to stay above the reserve for the whole window, so this is the
    /// agent's own guard against a wrong estimate; between two checks a battery can go below by at most one re-assert
    /// interval of discharge (at 5 kW for 20 s, 0.03 kWh).
    /// </summary>
    private async Task StopAtReserveAsync(Held held, CancellationToken cancellationToken)
    {
        foreach (var target in held.Targets.Where(t => t.MinStateOfChargePercent is not null && t.Watts > 0).ToList())
        {
            DeviceControlState? state;
            try { state = await devices.ReadStateAsync(target.DeviceId, cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) when (IsDeviceFault(ex)) { continue; }
            if (!DispatchLimits.ReachedReserve(target, state)) continue;
            held.Targets.Remove(target);
            await RestoreAsync(held, [target], $"reached the subscriber's reserve ({target.MinStateOfChargePercent:0.#} %)", cancellationToken).ConfigureAwait(false);
        }
        if (held.Targets.Count == 0) _active.Remove(held.Setpoint.DispatchId);
    }

    /// <summary>Restores every device this site holds a setpoint on (graceful shutdown).</summary>
    public async Task RestoreAllAsync(CancellationToken cancellationToken)
    {
        foreach (var held in _active.Values.ToList())
            await RestoreAsync(held, held.Targets, "agent stopping", cancellationToken).ConfigureAwait(false);
        _active.Clear();
        _pending.Clear();
    }

    private async Task StartAsync(Held held, CancellationToken cancellationToken)
    {
        var setpoint = held.Setpoint;
        if (DispatchLimits.CheckSite(setpoint, options) is { } siteReason)
        {
            DispatchLog.Rejected(logger, setpoint.SetpointId, siteReason);
            metrics?.SetpointRejected(Observability.SetpointRejection.SiteLimit);
            Answer(held, SetpointAck.Types.Result.Rejected, siteReason, []);
            return;
        }

        var results = new List<TargetResult>();
        var plans = new List<PlannedTarget>();
        foreach (var target in setpoint.Targets)
        {
            string? reason;
            PlannedTarget? plan = null;
            if (plans.Any(p => p.DeviceId == target.DeviceId) || results.Any(r => r.DeviceId == target.DeviceId))
                reason = "device named twice in one setpoint";
            else
            {
                try
                {
                    var state = await devices.ReadStateAsync(target.DeviceId, cancellationToken).ConfigureAwait(false);
                    (plan, reason) = DispatchLimits.CheckTarget(target, state);
                    if (plan is not null && state?.ReassertWithin is { } within) plan = plan with { ReassertWithin = within };
                }
                catch (Exception ex) when (IsDeviceFault(ex)) { reason = $"device unreachable: {ex.Message}"; }
            }
            if (plan is not null) plans.Add(plan);
            else results.Add(RejectedTarget(setpoint.SetpointId, target.DeviceId, reason!));
        }
        if (plans.Count == 0)
        {
            DispatchLog.Rejected(logger, setpoint.SetpointId, "every target was rejected");
            metrics?.SetpointRejected(Observability.SetpointRejection.Targets);
            Answer(held, SetpointAck.Types.Result.Rejected, "every target was rejected", results);
            return;
        }

        // A replacement: devices the earlier setpoint drove and this one does not go back to normal first.
        if (_active.Remove(setpoint.DispatchId, out var replaced))
            await RestoreAsync(replaced, replaced.Targets.Where(t => !plans.Any(p => p.DeviceId == t.DeviceId && p.Kind == t.Kind)).ToList(),
                $"dropped by setpoint {setpoint.SetpointId}", cancellationToken).ConfigureAwait(false);

        // Devices are written side by side (each has its own link or unit; the links serialize what must be), so a
        // site's answer takes as long as its slowest device, not the sum of all of them with their settle times.
        var applied = await Task.WhenAll(plans.Select(plan => devices.ApplyAsync(plan, options.RevertTimeout, measure: true, cancellationToken).AsTask())).ConfigureAwait(false);
        for (var i = 0; i < plans.Count; i++)
        {
            if (applied[i].Result == SetpointAck.Types.Result.Applied) held.Targets.Add(plans[i]);
            else DispatchLog.TargetRejected(logger, setpoint.SetpointId, plans[i].DeviceId, applied[i].Reason);
            results.Add(applied[i]);
        }
        var appliedCount = results.Count(r => r.Result == SetpointAck.Types.Result.Applied);
        var outcome = appliedCount == results.Count ? SetpointAck.Types.Result.Applied : appliedCount > 0 ? SetpointAck.Types.Result.Partial : SetpointAck.Types.Result.Rejected;
        if (appliedCount > 0)
        {
            held.NextReassert = time.GetUtcNow() + held.ReassertInterval(options);
            _active[setpoint.DispatchId] = held;
        }
        var ack = Answer(held, outcome, outcome == SetpointAck.Types.Result.Applied ? "" : string.Join("; ", results.Where(r => r.Result != SetpointAck.Types.Result.Applied).Select(r => $"{r.DeviceId}: {r.Reason}")), results);
        DispatchLog.Applied(logger, setpoint.SetpointId, setpoint.DispatchId, outcome.ToString(), appliedCount, held.Expiry, ack.MeasuredW);
        if (outcome == SetpointAck.Types.Result.Rejected) metrics?.SetpointRejected(Observability.SetpointRejection.Targets);
        else metrics?.SetpointApplied(partial: outcome == SetpointAck.Types.Result.Partial);
    }

    private async Task RestoreAsync(Held held, IReadOnlyList<PlannedTarget> targets, string why, CancellationToken cancellationToken)
    {
        foreach (var target in targets)
        {
            try
            {
                await devices.RestoreAsync(target, cancellationToken).ConfigureAwait(false);
                DispatchLog.Restored(logger, held.Setpoint.DispatchId, target.DeviceId, why);
            }
            catch (Exception ex) when (IsDeviceFault(ex))
            {
                DispatchLog.RestoreFailed(logger, held.Setpoint.DispatchId, target.DeviceId, why, ex);
            }
        }
    }

    private SetpointAck Answer(Held held, SetpointAck.Types.Result result, string reason, IReadOnlyList<TargetResult> targets)
    {
        var ack = Ack(held.Setpoint.SetpointId, held.Setpoint.DispatchId, result, reason, targets);
        verifier.Answered(held.Setpoint.SetpointId, ack);
        held.Reply(ack);
        return ack;
    }

    private SetpointAck Ack(string setpointId, string dispatchId, SetpointAck.Types.Result result, string reason, IReadOnlyList<TargetResult> targets)
    {
        var ack = new SetpointAck
        {
            SetpointId = setpointId,
            SiteId = siteId,
            DispatchId = dispatchId,
            Result = result,
            Reason = reason,
            TimeUs = WireTime.ToMicroseconds(time.GetUtcNow()),
            MeasuredW = targets.Where(t => t.Result == SetpointAck.Types.Result.Applied && double.IsFinite(t.MeasuredW)).Sum(t => t.MeasuredW),
        };
        ack.Targets.AddRange(targets);
        return ack;
    }

    private TargetResult RejectedTarget(string setpointId, string deviceId, string reason)
    {
        DispatchLog.TargetRejected(logger, setpointId, deviceId, reason);
        return new TargetResult { DeviceId = deviceId, Result = SetpointAck.Types.Result.Rejected, Reason = reason, MeasuredW = double.NaN };
    }


    /// <summary>Faults of a device or its link; anything else is a bug and must surface.</summary>
    internal static bool IsDeviceFault(Exception ex) => ex is ModbusException or TimeoutException or SunSpecException or IOException;

    private sealed class Held(Setpoint setpoint, AckSink reply, DateTimeOffset start, DateTimeOffset expiry)
    {
        public Setpoint Setpoint { get; } = setpoint;
        public AckSink Reply { get; } = reply;
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset Expiry { get; } = expiry;
        public List<PlannedTarget> Targets { get; } = [];
        public DateTimeOffset NextReassert { get; set; }

        /// <summary>The agent's interval, or shorter when a held device drops its setpoint sooner.</summary>
        public TimeSpan ReassertInterval(DispatchOptions options)
            => Targets.Select(t => t.ReassertWithin).OfType<TimeSpan>().Where(t => t < options.EffectiveReassertInterval)
                .DefaultIfEmpty(options.EffectiveReassertInterval).Min();
    }
}
