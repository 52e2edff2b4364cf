using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Registry;
using Nexwatt.Protos.Signing;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// The dispatch core: takes an instruction, allocates it, issues one signed setpoint per site, records
/// acknowledgements, and (from <see cref="DispatchMonitor"/>, once a second) re-sends, fails silent or rejecting
/// sites, re-allocates their share and closes the dispatch at window end. State lives in <see cref="IDispatchStore"/>;
/// every change runs under one gate, so acknowledgements and monitor passes never interleave. Acknowledgements are
/// recorded in groups by one writer loop (see DispatchService.Acknowledgements.cs).
/// </summary>
internal sealed partial class DispatchService(
    IDispatchStore dispatches,
    DispatchCandidates candidates,
    DispatchSettlement settlement,
    DispatchSigningKey signingKey,
    SetpointHub hub,
    MqttSetpointOutbox outbox,
    SiteActivity activity,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<DispatchService> logger,
    Observability.CollectorMetrics? metrics = null)
{
    /// <summary>The reason prefix of a failed asset's span (0 kW from the re-allocation on).</summary>
    public const string FailedPrefix = "failed: ";

    private readonly DispatchAllocator _allocator = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSent = new(StringComparer.Ordinal);
    // Failures found when an acknowledgement arrives (rejected or partial), handled by the next monitor pass. Under _gate.
    private readonly Dictionary<string, List<SiteFailure>> _queuedFailures = new(StringComparer.Ordinal);
    private bool _restored;

    private DispatchOptions Options => options.Value;

    /// <summary>Validates, allocates, stores and issues; problems (every one) instead when the request is invalid.</summary>
    public async Task<(DispatchCreated? Created, IReadOnlyList<RegistrationProblem> Problems)> CreateAsync(DispatchRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var problems = new List<RegistrationProblem>();
        var instruction = Validate(request, now, problems);
        if (instruction is null) return (null, problems);
        var (resourceId, zone, megawatts, direction, start, end) = instruction.Value;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var dispatchId = "d-" + Guid.CreateVersion7().ToString("N");
            var fleet = await candidates.ForZoneAsync(zone, cancellationToken).ConfigureAwait(false);
            var result = _allocator.Allocate(new AllocationRequest(megawatts, direction, end - Max(start, now)), fleet);
            var registeredMw = fleet.Sum(c => c.RatedKw) / 1000;
            var summary = megawatts > registeredMw
                ? $"{megawatts.ToString("0.###", CultureInfo.InvariantCulture)} MW requested is above the resource's registered capacity of {registeredMw.ToString("0.###", CultureInfo.InvariantCulture)} MW; {result.Summary}"
                : result.Summary;
            var record = new DispatchRecord(dispatchId, resourceId, zone.ToString(), direction, megawatts, start, end, DispatchStatus.Active, now, result.MegawattsExpected);
            await dispatches.InsertDispatchAsync(record, cancellationToken).ConfigureAwait(false);
            await EventAsync(dispatchId, now, DispatchEventKinds.InstructionReceived, new
            {
                resource_id = resourceId, iso_zone = record.IsoZone, direction = Name(direction), mw_requested = megawatts, window_start = start, window_end = end,
            }, cancellationToken).ConfigureAwait(false);

            var spans = result.Assets.Select(a => new AllocationSpan(dispatchId, 0, a.AssetId, a.SiteId, a.DeviceId, a.Program, a.Kilowatts, a.LimitKw, a.Reason, start, end)).ToList();
            await dispatches.InsertSpansAsync(spans, cancellationToken).ConfigureAwait(false);
            await EventAsync(dispatchId, now, DispatchEventKinds.Allocated, new
            {
                count = result.Assets.Count(a => a.Kilowatts > 0), expected_mw = result.MegawattsExpected, shortfall_mw = result.ShortfallMegawatts,
                registered_mw = registeredMw, summary, excluded = result.Excluded.Select(e => new { asset_id = e.AssetId, reason = e.Reason }),
            }, cancellationToken).ConfigureAwait(false);

            var targets = TargetsBySite(direction, result.Assets, fleet);
            var issued = await IssueAsync(record, 0, targets, now, cancellationToken).ConfigureAwait(false);
            if (issued.Count > 0)
            {
                await EventAsync(dispatchId, now, DispatchEventKinds.SetpointsIssued, new
                {
                    revision = 0, sites = issued.Count, setpoints = issued.Select(s => new { site_id = s.SiteId, setpoint_id = s.SetpointId }),
                }, cancellationToken).ConfigureAwait(false);
            }
            DispatchLog.Created(logger, dispatchId, Name(direction), megawatts, resourceId, record.IsoZone, start, end, result.MegawattsExpected,
                result.Assets.Count, issued.Count);
            var created = new DispatchCreated(dispatchId, DispatchStatus.Active, record.IsoZone, start, end, megawatts, result.MegawattsExpected,
                result.ShortfallMegawatts, registeredMw, summary,
                result.Assets.Select(a => new DispatchAssetView(a.AssetId, a.SiteId, a.DeviceId, a.Program, a.Kilowatts, a.LimitKw, a.Reason)).ToList(),
                result.Excluded.Select(e => new DispatchExcludedView(e.AssetId, e.Reason)).ToList(), issued.Count);
            return (created, problems);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The dispatch as the API shows it, or null.</summary>
    public async Task<DispatchView?> GetAsync(string dispatchId, CancellationToken cancellationToken)
    {
        var record = await dispatches.GetDispatchAsync(dispatchId, cancellationToken).ConfigureAwait(false);
        if (record is null) return null;
        var state = await LoadAsync(record, cancellationToken).ConfigureAwait(false);
        var acked = new List<string>();
        var pending = new List<string>();
        foreach (var site in state.InstructedSites)
        {
            if (state.CurrentBySite.TryGetValue(site, out var setpoint) && IsConfirming(setpoint)) acked.Add(site);
            else pending.Add(site);
        }
        return new DispatchView(record.DispatchId, record.ResourceId, record.IsoZone, Name(record.Direction), record.Status, record.WindowStart, record.WindowEnd,
            record.CreatedAt, record.MegawattsRequested, record.MegawattsExpected, state.ConfirmedMegawatts(), state.Revision,
            new DispatchSitesView(acked, pending, state.FailedSites.Order(StringComparer.Ordinal).ToList()));
    }

    /// <summary>The site's setpoints still to hold (not replaced, not expired), for a stream that just opened.</summary>
    public async Task<IReadOnlyList<SignedSetpoint>> LiveSetpointsAsync(string siteId, CancellationToken cancellationToken)
    {
        var live = await dispatches.GetLiveSetpointsAsync(siteId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return live.Select(s => SignedSetpoint.Parser.ParseFrom(s.Signed.Span)).ToList();
    }

    /// <summary>One monitor pass over every open dispatch.</summary>
    public async Task RunPassAsync(CancellationToken cancellationToken)
    {
        var open = await dispatches.ListOpenDispatchesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var record in open)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Re-read under the gate: an acknowledgement may have changed it since the list was read.
                var fresh = await dispatches.GetDispatchAsync(record.DispatchId, cancellationToken).ConfigureAwait(false);
                if (fresh is null || fresh.Status == DispatchStatus.Completed) continue;
                await PassAsync(fresh, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        _restored = true;
    }

    private async Task PassAsync(DispatchRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now >= record.WindowEnd)
        {
            await CompleteAsync(record, now, cancellationToken).ConfigureAwait(false);
            return;
        }
        var state = await LoadAsync(record, cancellationToken).ConfigureAwait(false);
        if (!_restored)
        {
            // After a restart nothing is known of the sites' activity: give each the full silence timeout from now.
            foreach (var site in state.InstructedSites)
                if (activity.LastEvidence(site) is null) activity.Seen(site);
        }

        foreach (var setpoint in state.CurrentBySite.Values)
        {
            if (setpoint.State != SetpointState.Pending || setpoint.ExpiresAt <= now) continue;
            if (_lastSent.TryGetValue(setpoint.SetpointId, out var sent) && now - sent < Options.ResendInterval) continue;
            Deliver(setpoint, SignedSetpoint.Parser.ParseFrom(setpoint.Signed.Span), now);
        }

        var failures = _queuedFailures.Remove(record.DispatchId, out var queued) ? queued : [];
        // The confirmation clock starts at issue, or at the window start for a setpoint issued ahead of its window
        // (an agent may acknowledge only once it has applied the targets).
        foreach (var site in state.InstructedSites)
        {
            if (failures.Any(f => f.SiteId == site && f.Devices is null)) continue;
            // Evidence only (SiteActivity): a status message, forgeable and also sent as the will of a stale connection,
            // never removes a site whose telemetry and acknowledgements still arrive.
            if (!activity.HasEvidence(site, Options.SiteSilenceTimeout))
                failures.Add(new SiteFailure(site, null,
                    $"dropped: no telemetry or acknowledgement for more than {Seconds(Options.SiteSilenceTimeout)} s{(activity.IsHintedOffline(site) ? " (and its status says offline)" : "")}",
                    Reachable: false));
            else if (state.CurrentBySite.TryGetValue(site, out var setpoint) && setpoint.State == SetpointState.Pending
                && now - ConfirmationClockStart(setpoint) > Options.ConfirmTimeout)
                failures.Add(new SiteFailure(site, null, $"no acknowledgement within {Seconds(Options.ConfirmTimeout)} s", Reachable: true));
        }
        if (failures.Count > 0)
        {
            await ReallocateAsync(record, state, failures, now, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (record.Status == DispatchStatus.Active) await TryConfirmAsync(record, state, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReallocateAsync(DispatchRecord record, DispatchState state, List<SiteFailure> failures, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The assets that fail now, with their reason; those failed before keep theirs.
        var failed = state.Current.Where(IsFailed).ToDictionary(s => s.AssetId, s => s.Reason, StringComparer.Ordinal);
        var newlyFailedSites = new Dictionary<string, (SiteFailure Failure, List<string> Assets)>(StringComparer.Ordinal);
        foreach (var failure in failures)
        {
            foreach (var span in state.Current.Where(s => s.SiteId == failure.SiteId && s.Kilowatts > 0 && !IsFailed(s)))
            {
                if (failure.Devices is not null && !failure.Devices.Contains(span.DeviceId)) continue;
                if (!failed.TryAdd(span.AssetId, FailedPrefix + failure.Reason)) continue;
                if (!newlyFailedSites.TryGetValue(failure.SiteId, out var entry)) newlyFailedSites[failure.SiteId] = entry = (failure, []);
                entry.Assets.Add(span.AssetId);
            }
        }
        if (newlyFailedSites.Count == 0) return;

        foreach (var (site, (failure, assets)) in newlyFailedSites.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // A site that never answered its setpoint ends its dispatch latency here: timed out, or dropped as silent.
            if (failure.Devices is null && state.CurrentBySite.TryGetValue(site, out var unanswered) && unanswered.State == SetpointState.Pending)
                metrics?.SetpointAnswered(failure.Reachable ? "timeout" : "dropped", now - ConfirmationClockStart(unanswered));
            await EventAsync(record.DispatchId, now, DispatchEventKinds.SiteFailed, new { site_id = site, reason = failure.Reason, reachable = failure.Reachable, assets },
                cancellationToken).ConfigureAwait(false);
            DispatchLog.SiteFailed(logger, record.DispatchId, site, failure.Reason);
        }

        var zone = IsoZone.TryParse(record.IsoZone, out var parsed) ? parsed : null;
        var fleet = zone is null ? [] : await candidates.ForZoneAsync(zone, cancellationToken, state.InstructedSites.ToHashSet(StringComparer.Ordinal)).ConfigureAwait(false);
        var at = Max(now, record.WindowStart);
        var result = _allocator.Reallocate(new AllocationRequest(record.MegawattsRequested, record.Direction, record.WindowEnd - at), fleet,
            failed.Keys.ToHashSet(StringComparer.Ordinal));
        var fromMw = state.ExpectedMegawatts();
        var revision = state.Revision + 1;

        var known = state.Current.ToDictionary(s => s.AssetId, StringComparer.Ordinal);
        var spans = result.Assets.Select(a => new AllocationSpan(record.DispatchId, revision, a.AssetId, a.SiteId, a.DeviceId, a.Program, a.Kilowatts, a.LimitKw,
            a.Reason, at, record.WindowEnd)).ToList();
        spans.AddRange(failed.Where(f => known.ContainsKey(f.Key)).Select(f => known[f.Key] with
        {
            Revision = revision, Kilowatts = 0, Reason = f.Value, From = at, To = record.WindowEnd,
        }));
        await dispatches.CloseSpansAsync(record.DispatchId, at, cancellationToken).ConfigureAwait(false);
        await dispatches.InsertSpansAsync(spans, cancellationToken).ConfigureAwait(false);

        // New setpoints only where a site's targets change; a failed site gets an empty one (stop now).
        var targets = TargetsBySite(record.Direction, result.Assets, fleet);
        var changed = new Dictionary<string, List<SetpointTarget>>(StringComparer.Ordinal);
        foreach (var site in targets.Keys.Union(state.CurrentBySite.Keys, StringComparer.Ordinal))
        {
            var wanted = targets.TryGetValue(site, out var list) ? list : [];
            var current = state.CurrentBySite.TryGetValue(site, out var setpoint) ? TargetsOf(setpoint) : [];
            if (!SameTargets(wanted, current)) changed[site] = wanted;
        }
        var issued = await IssueAsync(record, revision, changed, now, cancellationToken).ConfigureAwait(false);
        await dispatches.UpdateDispatchAsync(record.DispatchId, DispatchStatus.Active, result.MegawattsExpected, cancellationToken).ConfigureAwait(false);
        await EventAsync(record.DispatchId, now, DispatchEventKinds.Reallocated, new
        {
            revision, from_mw = fromMw, to_mw = result.MegawattsExpected, shortfall_mw = result.ShortfallMegawatts, summary = result.Summary,
            failed_assets = newlyFailedSites.Values.SelectMany(v => v.Assets).Order(StringComparer.Ordinal), sites_updated = issued.Count,
        }, cancellationToken).ConfigureAwait(false);
        if (issued.Count > 0)
        {
            await EventAsync(record.DispatchId, now, DispatchEventKinds.SetpointsIssued, new
            {
                revision, sites = issued.Count, setpoints = issued.Select(s => new { site_id = s.SiteId, setpoint_id = s.SetpointId }),
            }, cancellationToken).ConfigureAwait(false);
        }
        DispatchLog.Reallocated(logger, record.DispatchId, fromMw, result.MegawattsExpected, revision, issued.Count);
    }

    private async Task TryConfirmAsync(DispatchRecord record, DispatchState state, CancellationToken cancellationToken)
    {
        if (_queuedFailures.ContainsKey(record.DispatchId)) return; // a re-allocation is due first
        var sites = state.InstructedSites;
        if (sites.Count == 0) return;
        var setpoints = new List<SetpointRecord>();
        foreach (var site in sites)
        {
            if (!state.CurrentBySite.TryGetValue(site, out var setpoint) || !IsConfirming(setpoint)) return;
            setpoints.Add(setpoint);
        }
        var confirmedAt = setpoints.Max(s => s.AckedAt!.Value);
        var confirmedMw = state.ConfirmedMegawatts();
        var assets = state.Current.Count(s => s.Kilowatts > 0 && !IsFailed(s));
        var seconds = (confirmedAt - record.CreatedAt).TotalSeconds;
        await dispatches.UpdateDispatchAsync(record.DispatchId, DispatchStatus.Confirmed, record.MegawattsExpected, cancellationToken).ConfigureAwait(false);
        await EventAsync(record.DispatchId, confirmedAt, DispatchEventKinds.DispatchConfirmed, new
        {
            revision = state.Revision, sites = sites.Count, assets, mw_confirmed = confirmedMw, seconds_since_instruction = seconds,
        }, cancellationToken).ConfigureAwait(false);
        DispatchLog.Confirmed(logger, record.DispatchId, sites.Count, assets, confirmedMw, seconds);
    }

    private async Task CompleteAsync(DispatchRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await dispatches.UpdateDispatchAsync(record.DispatchId, DispatchStatus.Completed, record.MegawattsExpected, cancellationToken).ConfigureAwait(false);
        await EventAsync(record.DispatchId, now, DispatchEventKinds.WindowEnded, new { window_end = record.WindowEnd, status_before = record.Status },
            cancellationToken).ConfigureAwait(false);
        _queuedFailures.Remove(record.DispatchId);
        foreach (var setpoint in await dispatches.GetSetpointsAsync(record.DispatchId, cancellationToken).ConfigureAwait(false))
            _lastSent.TryRemove(setpoint.SetpointId, out _);
        try
        {
            var completed = record with { Status = DispatchStatus.Completed };
            var report = await settlement.BuildAsync(completed, cancellationToken).ConfigureAwait(false);
            await EventAsync(record.DispatchId, time.GetUtcNow(), DispatchEventKinds.SettlementGenerated, new
            {
                settlement_interval_s = report.SettlementInterval.TotalSeconds, assets = report.Assets.Count, cohorts = report.Cohorts.Count,
                requested_mwh = report.Fleet.RequestedMwh, instructed_mwh = report.Fleet.InstructedMwh, delivered_mwh = report.Fleet.DeliveredMwh,
                performance_ratio = report.Fleet.PerformanceRatio, flagged_intervals = report.Fleet.FlaggedIntervals,
                capacity_payment = report.Payment.Amount, currency = report.Payment.Currency,
            }, cancellationToken).ConfigureAwait(false);
            DispatchLog.Completed(logger, record.DispatchId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DispatchLog.SettlementFailed(logger, record.DispatchId, ex);
        }
    }

    private async Task<List<SetpointRecord>> IssueAsync(DispatchRecord record, int revision, IReadOnlyDictionary<string, List<SetpointTarget>> targets,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var issued = new List<SetpointRecord>();
        foreach (var (site, siteTargets) in targets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var setpoint = new Setpoint
            {
                SetpointId = "sp-" + Guid.CreateVersion7().ToString("N"),
                SiteId = site,
                DispatchId = record.DispatchId,
                IssuedTimeUs = WireTime.ToMicroseconds(now),
                StartTimeUs = WireTime.ToMicroseconds(record.WindowStart),
                ExpiryTimeUs = WireTime.ToMicroseconds(record.WindowEnd),
            };
            setpoint.Targets.AddRange(siteTargets);
            var signed = SetpointSignature.Sign(setpoint, signingKey.Key);
            var stored = new SetpointRecord(setpoint.SetpointId, record.DispatchId, site, revision, now, record.WindowStart, record.WindowEnd,
                signed.ToByteArray(), SetpointState.Pending);
            issued.Add(stored);
        }
        await dispatches.IssueSetpointsAsync(issued, cancellationToken).ConfigureAwait(false);
        // Delivered once all are stored: an acknowledgement can never arrive for a setpoint not yet on disk.
        foreach (var stored in issued) Deliver(stored, SignedSetpoint.Parser.ParseFrom(stored.Signed.Span), now);
        return issued;
    }

    private void Deliver(SetpointRecord setpoint, SignedSetpoint signed, DateTimeOffset now)
    {
        _lastSent[setpoint.SetpointId] = now;
        hub.Publish(setpoint.SiteId, signed);
        outbox.Post(setpoint.SiteId, setpoint.SetpointId, setpoint.Signed);
    }

    private void Queue(string dispatchId, SiteFailure failure)
    {
        if (!_queuedFailures.TryGetValue(dispatchId, out var list)) _queuedFailures[dispatchId] = list = [];
        list.Add(failure);
    }

    private async Task<DispatchState> LoadAsync(DispatchRecord record, CancellationToken cancellationToken)
    {
        var spans = await dispatches.GetSpansAsync(record.DispatchId, cancellationToken).ConfigureAwait(false);
        var revision = spans.Count == 0 ? 0 : spans.Max(s => s.Revision);
        var current = spans.Where(s => s.Revision == revision).ToList();
        var setpoints = await dispatches.GetSetpointsAsync(record.DispatchId, cancellationToken).ConfigureAwait(false);
        var currentBySite = setpoints.Where(s => s.State != SetpointState.Superseded)
            .GroupBy(s => s.SiteId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(s => s.IssuedAt)!, StringComparer.Ordinal);
        return new DispatchState(revision, current, currentBySite);
    }

    private async Task EventAsync(string dispatchId, DateTimeOffset at, string kind, object detail, CancellationToken cancellationToken) =>
        await dispatches.AppendEventAsync(dispatchId, at, kind, JsonSerializer.Serialize(detail, DetailJson), cancellationToken).ConfigureAwait(false);

    private static readonly JsonSerializerOptions DetailJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    internal static bool IsFailed(AllocationSpan span) => span.Kilowatts == 0 && span.Reason.StartsWith(FailedPrefix, StringComparison.Ordinal);

    private static bool IsConfirming(SetpointRecord setpoint) =>
        setpoint.State == SetpointState.Acked && setpoint.AckResult is "applied" or "partial" && setpoint.AckedAt is not null;

    private static string Name(DispatchDirection direction) => direction.ToString().ToLowerInvariant();

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>When a site's confirmation clock starts: at issue, or at the window start for a setpoint issued ahead of its window.</summary>
    private static DateTimeOffset ConfirmationClockStart(SetpointRecord setpoint) => Max(setpoint.IssuedAt, setpoint.StartAt);


    /// <summary>A site (or some of its devices) whose share fails: its assets are re-allocated.</summary>
    private sealed record SiteFailure(string SiteId, IReadOnlySet<string>? Devices, string Reason, bool Reachable);

    /// <summary>A dispatch's current revision: its spans and each site's newest setpoint not superseded.</summary>
    private sealed record DispatchState(int Revision, IReadOnlyList<AllocationSpan> Current, IReadOnlyDictionary<string, SetpointRecord> CurrentBySite)
    {
        /// <summary>Sites with a share in the current revision (failed ones excluded).</summary>
        public IReadOnlyList<string> InstructedSites { get; } =
            Current.Where(s => s.Kilowatts > 0 && !IsFailed(s)).Select(s => s.SiteId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        public IReadOnlySet<string> FailedSites { get; } =
            Current.Where(IsFailed).Select(s => s.SiteId).ToHashSet(StringComparer.Ordinal);

        public double ExpectedMegawatts() => Current.Where(s => !IsFailed(s)).Sum(s => s.Kilowatts) / 1000;

        /// <summary>The current share of the sites whose current setpoint is acknowledged applied or partial.</summary>
        public double ConfirmedMegawatts() => Current
            .Where(s => s.Kilowatts > 0 && !IsFailed(s) && CurrentBySite.TryGetValue(s.SiteId, out var setpoint) && IsConfirming(setpoint))
            .Sum(s => s.Kilowatts) / 1000;
    }
}
