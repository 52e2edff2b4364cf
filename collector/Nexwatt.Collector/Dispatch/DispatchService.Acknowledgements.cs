using System.Text.Json;
using System.Threading.Channels;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Dispatch;

// Acknowledgements, recorded by group commit: every transport queues them to one writer loop, which takes whatever is
// queued, checks each against its stored setpoint (one read for the group), records every answer and its
// site_acknowledged event in one transaction (one fsync instead of two per acknowledgement), and only then tells each
// caller accepted or refused. A fleet's answers to one instruction then cost a few commits, not two per site.
internal sealed partial class DispatchService
{
    private const int AckQueueCapacity = 4096;
    private const int MaxAckBatch = 1024;

    // Wait when full: an acknowledgement is never dropped in memory. A full queue holds up the gRPC Acknowledge calls
    // and the MQTT receive loop (and through it the broker), which is where the back-pressure belongs.
    private readonly Channel<PendingAck> _acks = Channel.CreateBounded<PendingAck>(new BoundedChannelOptions(AckQueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    /// <summary>
    /// Records a site's acknowledgement and answers once it is durably stored: accepted, or refused (false, with the
    /// reason) for an unknown setpoint, another site's or another dispatch's setpoint, or an acknowledgement without a result.
    /// </summary>
    public async Task<(bool Accepted, string? Problem)> AcknowledgeAsync(string siteId, SetpointAck ack, CancellationToken cancellationToken)
    {
        var outcome = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await QueueAckAsync(siteId, ack, outcome, cancellationToken).ConfigureAwait(false);
        var problem = await outcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return (problem is null, problem);
    }

    /// <summary>
    /// Queues a site's acknowledgement for the writer loop, waiting only for room in the queue; the outcome (null when
    /// recorded, else the reason it was refused, which is also logged) completes <paramref name="outcome"/> when given.
    /// The time of the record is now, when the collector received it.
    /// </summary>
    public async ValueTask QueueAckAsync(string siteId, SetpointAck ack, TaskCompletionSource<string?>? outcome, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var result = ResultName(ack.Result);
        var problem = string.IsNullOrEmpty(ack.SetpointId) ? "no setpoint id"
            : !string.IsNullOrEmpty(ack.SiteId) && ack.SiteId != siteId ? $"the acknowledgement names site '{ack.SiteId}'"
            : result is null ? "no result"
            : null;
        if (problem is not null)
        {
            Refused(new PendingAck(siteId, ack, "", receivedAt, outcome), problem);
            return;
        }
        try
        {
            await _acks.Writer.WriteAsync(new PendingAck(siteId, ack, result!, receivedAt, outcome), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException("The dispatch service is stopping: the acknowledgement was not recorded.", ex);
        }
    }

    /// <summary>The writer loop (run by <see cref="DispatchAckWriter"/>) until <paramref name="stoppingToken"/> is cancelled.</summary>
    internal async Task RunAckWriterAsync(CancellationToken stoppingToken)
    {
        var reader = _acks.Reader;
        var batch = new List<PendingAck>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (batch.Count < MaxAckBatch && reader.TryRead(out var next)) batch.Add(next);
                try
                {
                    await RecordAcksAsync(batch, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Nothing of the group is stored; its callers hear so, and the agents answer again on the re-send.
                    DispatchLog.AcksNotRecorded(logger, batch.Count, ex);
                    foreach (var pending in batch) pending.Outcome?.TrySetException(ex);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            _acks.Writer.TryComplete();
            foreach (var pending in batch) pending.Outcome?.TrySetCanceled(stoppingToken);
            while (reader.TryRead(out var left)) left.Outcome?.TrySetCanceled(stoppingToken);
        }
    }

    private async Task RecordAcksAsync(List<PendingAck> batch, CancellationToken cancellationToken)
    {
        var problems = new string?[batch.Count];
        var recorded = new List<(PendingAck Pending, SetpointRecord Setpoint)>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ids = batch.Select(p => p.Ack.SetpointId).ToHashSet(StringComparer.Ordinal);
            var setpoints = (await dispatches.GetSetpointsByIdAsync(ids, cancellationToken).ConfigureAwait(false))
                .ToDictionary(s => s.SetpointId, StringComparer.Ordinal);
            var writes = new List<SetpointAckRecord>();
            for (var i = 0; i < batch.Count; i++)
            {
                var pending = batch[i];
                var ack = pending.Ack;
                setpoints.TryGetValue(ack.SetpointId, out var setpoint);
                problems[i] = setpoint is null ? "unknown setpoint"
                    : setpoint.SiteId != pending.SiteId ? "the setpoint belongs to another site"
                    : !string.IsNullOrEmpty(ack.DispatchId) && ack.DispatchId != setpoint.DispatchId ? "the setpoint belongs to another dispatch"
                    : null;
                // Agents may acknowledge twice (both transports, or a re-sent setpoint): the same answer again changes nothing.
                if (problems[i] is not null || setpoint!.AckResult == pending.Result) continue;

                double? measured = double.IsFinite(ack.MeasuredW) ? ack.MeasuredW : null;
                writes.Add(new SetpointAckRecord(setpoint.SetpointId, setpoint.DispatchId, pending.Result, ack.Reason, measured, pending.ReceivedAt,
                    Detail(pending, setpoint, measured)));
                recorded.Add((pending, setpoint));
                // Later answers in this group see this one, as they would have one transaction later.
                setpoints[setpoint.SetpointId] = setpoint with
                {
                    AckResult = pending.Result, AckReason = ack.Reason, MeasuredW = measured, AckedAt = pending.ReceivedAt,
                    State = setpoint.State == SetpointState.Pending ? SetpointState.Acked : setpoint.State,
                };
            }
            await dispatches.RecordAcksAsync(writes, cancellationToken).ConfigureAwait(false);

            // Durable now: what the monitor is to act on is queued only for answers that are on disk.
            foreach (var (pending, setpoint) in recorded)
            {
                var ack = pending.Ack;
                DispatchLog.Acknowledged(logger, setpoint.DispatchId, pending.SiteId, setpoint.SetpointId, pending.Result, ack.Reason,
                    double.IsFinite(ack.MeasuredW) ? ack.MeasuredW : double.NaN);
                // The site's first answer to this setpoint ends its dispatch latency (a changed answer later does not).
                if (setpoint.AckResult is null)
                    metrics?.SetpointAnswered(pending.Result, pending.ReceivedAt - ConfirmationClockStart(setpoint));
                if (setpoint.State == SetpointState.Superseded || pending.Result == "applied") continue;
                // Rejected: the site's whole share fails. Partial: the devices that rejected their target fail.
                var devices = pending.Result == "rejected"
                    ? null
                    : ack.Targets.Where(t => t.Result == SetpointAck.Types.Result.Rejected).Select(t => t.DeviceId).ToHashSet(StringComparer.Ordinal);
                if (devices is null || devices.Count > 0)
                    Queue(setpoint.DispatchId, new SiteFailure(pending.SiteId, devices, $"{pending.Result}: {ack.Reason}", Reachable: true));
            }
            // Confirmation is the monitor's (within a second): checking every site on every acknowledgement would cost
            // O(sites²) reads per dispatch. Its time is the last acknowledgement's, so the figure is exact anyway.
        }
        finally
        {
            _gate.Release();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (problems[i] is { } problem) Refused(batch[i], problem);
            else batch[i].Outcome?.TrySetResult(null);
        }
    }

    private void Refused(PendingAck pending, string problem)
    {
        DispatchLog.AckRefused(logger, pending.SiteId, pending.Ack.SetpointId, problem);
        pending.Outcome?.TrySetResult(problem);
    }

    private static string Detail(PendingAck pending, SetpointRecord setpoint, double? measured) => JsonSerializer.Serialize(new
    {
        site_id = pending.SiteId, setpoint_id = setpoint.SetpointId, revision = setpoint.Revision, result = pending.Result, reason = pending.Ack.Reason,
        measured_w = measured, superseded = setpoint.State == SetpointState.Superseded,
        targets = pending.Ack.Targets.Select(t => new
        {
            device_id = t.DeviceId, result = t.Result.ToString().ToLowerInvariant(), reason = t.Reason,
            measured_w = double.IsFinite(t.MeasuredW) ? t.MeasuredW : (double?)null, commanded_w = double.IsFinite(t.CommandedW) ? t.CommandedW : (double?)null,
        }),
    }, DetailJson);

    private static string? ResultName(SetpointAck.Types.Result result) => result switch
    {
        SetpointAck.Types.Result.Applied => "applied",
        SetpointAck.Types.Result.Partial => "partial",
        SetpointAck.Types.Result.Rejected => "rejected",
        _ => null,
    };

    /// <summary>An acknowledgement waiting for the writer loop: who sent it, when it arrived, and who waits for the outcome.</summary>
    private sealed record PendingAck(string SiteId, SetpointAck Ack, string Result, DateTimeOffset ReceivedAt, TaskCompletionSource<string?>? Outcome);
}
