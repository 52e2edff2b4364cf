using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// Drains the durable buffer over one uplink session. Readings appended since the session began are live and go
/// first, in sequence order; everything older is backfill: replayed oldest first, marked historical and
/// rate-limited. Gaps (evicted readings) are announced as they appear. A chunk leaves the buffer only after the
/// transport confirmed delivery, so a lost session loses nothing: what was in flight is sent again later
/// (at least once; the collector deduplicates on site and sequence).
/// </summary>
internal sealed class UplinkPump(
    ReadingBuffer buffer,
    AgentIdentity identity,
    UplinkOptions options,
    TimeProvider time,
    ILogger logger,
    Hosting.AgentLiveness.Heartbeat? heartbeat = null,
    Observability.UplinkStatus? status = null,
    Observability.AgentMetrics? metrics = null)
{
    // How long the live loop idles between looks at the buffer when nothing new arrived.
    private static readonly TimeSpan LivePollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan GapPollInterval = TimeSpan.FromSeconds(1);
    // A live batch is acknowledged well within this, or the session is stuck (a dead link ends the session instead).
    private static readonly TimeSpan SendBudget = TimeSpan.FromSeconds(30);

    private long _liveReadingsSent;
    private long _historicalReadingsSent;

    private long _readingsTooLarge;

    public long LiveReadingsSent => Interlocked.Read(ref _liveReadingsSent);

    /// <summary>Readings (and gaps) dropped because each alone is larger than any message the uplink carries.</summary>
    public long ReadingsTooLarge => Interlocked.Read(ref _readingsTooLarge);
    public long HistoricalReadingsSent => Interlocked.Read(ref _historicalReadingsSent);

    /// <summary>Runs until the session fails (the exception propagates) or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunSessionAsync(IBatchTransport transport, CancellationToken cancellationToken)
    {
        var liveStart = buffer.NextSequence;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = new[]
        {
            RunLiveAsync(transport, liveStart, session.Token),
            RunBackfillAsync(transport, liveStart, session.Token),
            RunGapsAsync(transport, session.Token),
        };
        try
        {
            // The first loop to fail ends the session; the others are cancelled and awaited.
            var first = await Task.WhenAny(loops.Where(l => !l.IsCompletedSuccessfully).DefaultIfEmpty(Task.CompletedTask)).ConfigureAwait(false);
            while (first.IsCompletedSuccessfully && loops.Any(l => !l.IsCompleted))
                first = await Task.WhenAny(loops.Where(l => !l.IsCompleted)).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        finally
        {
            // Between sessions the uplink waits for the link, for as long as an outage lasts: not a hang.
            heartbeat?.Idle();
            status?.SessionDown();
            await session.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(loops).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            catch (Exception) when (!cancellationToken.IsCancellationRequested) { }
        }
    }

    private async Task RunLiveAsync(IBatchTransport transport, ulong liveStart, CancellationToken cancellationToken)
    {
        var cursor = liveStart;
        while (!cancellationToken.IsCancellationRequested)
        {
            heartbeat?.Beat(SendBudget);
            var chunks = await buffer.ReadAsync(cursor, ulong.MaxValue, options.MaxBatchReadings, cancellationToken).ConfigureAwait(false);
            if (chunks.Count == 0)
            {
                heartbeat?.Beat(LivePollInterval);
                await Task.Delay(LivePollInterval, time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await SendAsync(transport, chunks, historical: false, cancellationToken).ConfigureAwait(false);
            cursor = chunks[^1].LastSequence + 1;
        }
    }

    private async Task RunBackfillAsync(IBatchTransport transport, ulong liveStart, CancellationToken cancellationToken)
    {
        var limiter = new BackfillRateLimiter(options.BackfillReadingsPerSecond, time);
        ulong cursor = 0;
        var sent = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            var chunks = await buffer.ReadAsync(cursor, liveStart, options.MaxBatchReadings, cancellationToken).ConfigureAwait(false);
            if (chunks.Count == 0)
            {
                if (sent > 0) UplinkLog.BackfillDrained(logger, sent);
                return;
            }
            if (sent == 0) UplinkLog.BackfillStarted(logger, liveStart - chunks[0].FirstSequence, options.BackfillReadingsPerSecond);
            var readings = chunks.Sum(c => c.Readings.Count);
            await limiter.WaitAsync(readings, cancellationToken).ConfigureAwait(false);
            await SendAsync(transport, chunks, historical: true, cancellationToken).ConfigureAwait(false);
            sent += readings;
            cursor = chunks[^1].LastSequence + 1;
        }
    }

    private async Task RunGapsAsync(IBatchTransport transport, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var gaps = await buffer.ReadGapsAsync(cancellationToken).ConfigureAwait(false);
            if (gaps.Count > 0)
            {
                var batch = NewBatch(historical: true);
                batch.Gaps.AddRange(gaps.Select(g => g.Gap));
                await SendPartsAsync(transport, batch, cancellationToken).ConfigureAwait(false);
                await buffer.AcknowledgeGapsAsync(gaps.Select(g => g.Id).ToArray(), cancellationToken).ConfigureAwait(false);
                foreach (var gap in gaps) UplinkLog.GapAnnounced(logger, gap.Gap.FirstSequence, gap.Gap.LastSequence, gap.Gap.ReadingsLost);
            }
            await Task.Delay(GapPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(IBatchTransport transport, IReadOnlyList<BufferedChunk> chunks, bool historical, CancellationToken cancellationToken)
    {
        var batch = NewBatch(historical);
        foreach (var chunk in chunks) batch.Readings.AddRange(chunk.Readings);
        batch.FirstSequence = chunks[0].FirstSequence;
        batch.LastSequence = chunks[^1].LastSequence;
        await SendPartsAsync(transport, batch, cancellationToken).ConfigureAwait(false);
        // Delivered (or refused for good): only now may the chunks leave the buffer.
        await buffer.AcknowledgeAsync(chunks.Select(c => c.Id).ToArray(), cancellationToken).ConfigureAwait(false);
        if (historical) Interlocked.Add(ref _historicalReadingsSent, batch.Readings.Count);
        else Interlocked.Add(ref _liveReadingsSent, batch.Readings.Count);
    }

    /// <summary>
    /// Sends <paramref name="batch"/> in as many messages as the transport's size limit needs, one after the other, each
    /// awaited: the parts reach the collector in order, and the caller acknowledges its chunks only once every part
    /// was acknowledged. A lost session part-way leaves them all buffered; the parts already delivered come again and
    /// the collector counts them as duplicates.
    /// </summary>
    private async Task SendPartsAsync(IBatchTransport transport, TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var maxBytes = transport.MaxBatchBytes;
        var split = BatchSplitter.Split(batch, maxBytes);
        if (split.Parts.Count > 1) UplinkLog.BatchSplit(logger, batch.FirstSequence, batch.LastSequence, batch.CalculateSize(), split.Parts.Count, maxBytes);
        foreach (var reading in split.OversizedReadings)
        {
            // One reading larger than any message the path carries: it can never be delivered. Counted and said.
            Interlocked.Increment(ref _readingsTooLarge);
            UplinkLog.ReadingTooLarge(logger, reading.Sequence, reading.DeviceId, reading.Point, reading.CalculateSize(), maxBytes);
        }
        foreach (var gap in split.OversizedGaps)
        {
            Interlocked.Increment(ref _readingsTooLarge);
            UplinkLog.GapTooLarge(logger, gap.FirstSequence, gap.LastSequence, gap.CalculateSize(), maxBytes);
        }
        foreach (var part in split.Parts)
        {
            try
            {
                var sent = time.GetTimestamp();
                await transport.SendAsync(part, cancellationToken).ConfigureAwait(false);
                status?.Delivered();
                metrics?.BatchDelivered(status?.Transport ?? "", batch.Historical, part.Readings.Count, time.GetElapsedTime(sent));
            }
            catch (BatchRejectedException ex)
            {
                // Refused for good: resending it would block the uplink forever. Said loudly, then dropped.
                UplinkLog.BatchRejected(logger, part.FirstSequence, part.LastSequence, part.Readings.Count, ex.Message);
            }
        }
    }

    private TelemetryBatch NewBatch(bool historical) => new()
    {
        SiteId = identity.SiteId,
        AgentBootId = identity.BootId,
        Historical = historical,
        SentTimeUs = WireTime.ToMicroseconds(time.GetUtcNow()),
    };
}
