using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>
/// Agents uploading over gRPC as the edge agent does: each on its own HTTP/2 connection with one duplex
/// <c>nexwatt.v1.TelemetryIngest/Upload</c> call, at most <c>window</c> batches unacknowledged. Latency of a batch
/// = from just before its write (its last poll is stamped with that instant) to its ack, which the collector
/// sends once the batch is durably stored. Acks must say STORED with exactly the expected new and duplicate counts.
/// </summary>
internal static class GrpcAgents
{
    /// <summary>A channel as the edge agent opens it (its handler: keep-alive pings), one per simulated agent.</summary>
    internal static GrpcChannel Channel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = Nexwatt.EdgeAgent.Uplink.GrpcCollectorChannel.CreateHandler(),
        DisposeHttpClient = true,
        MaxRetryAttempts = 0,
    });

    internal static Metadata Token(string token) => new() { { "authorization", $"Bearer {token}" } };

    /// <param name="readingsPerSecond">Total offered rate (new readings) for a paced phase; null = as fast as the window allows.</param>
    public static async Task<LoadResult> RunAsync(Uri address, IReadOnlyList<BenchSite> sites, int batchesPerSite, int window, double? readingsPerSecond,
        CancellationToken cancellationToken)
    {
        double? batchesPerSecond = readingsPerSecond / sites.Count / InverterPolls.ReadingsPerBatch;
        var latencies = new ConcurrentBag<double[]>();
        var start = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(sites.Select((site, n) => Task.Run(() =>
            RunAgentAsync(address, site, batchesPerSite, window, batchesPerSecond, IngestLoad.PhaseOf(n, sites.Count), start, latencies, cancellationToken),
            cancellationToken))).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new LoadResult(counts.Sum(c => c.Offered), counts.Sum(c => c.Unique), seconds, Latency.Of(latencies.SelectMany(l => l)));
    }

    private static async Task<(long Offered, long Unique)> RunAgentAsync(Uri address, BenchSite site, int batches, int window, double? batchesPerSecond,
        double phase, long start, ConcurrentBag<double[]> latencies, CancellationToken cancellationToken)
    {
        using var channel = Channel(address);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.Upload(Token(site.Token), cancellationToken: failed.Token);
        using var slots = new SemaphoreSlim(window);
        var sent = new ConcurrentQueue<(long At, int Readings, bool Redelivery)>();
        var measured = new List<double>(batches);
        long offered = 0, unique = 0;

        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var ack in call.ResponseStream.ReadAllAsync(failed.Token).ConfigureAwait(false))
                {
                    var now = Stopwatch.GetTimestamp();
                    IngestLoad.Check(sent.TryDequeue(out var batch), $"{site.Polls.SiteId}: an ack for a batch never sent");
                    IngestLoad.Check(ack.Status == UploadAck.Types.Status.Stored, $"{site.Polls.SiteId}: batch {ack.FirstSequence}: {ack.Status} {ack.Message}");
                    var (expectStored, expectDuplicate) = batch.Redelivery ? (0, batch.Readings) : (batch.Readings, 0);
                    IngestLoad.Check(ack.ReadingsStored == expectStored && ack.ReadingsDuplicate == expectDuplicate,
                        $"{site.Polls.SiteId}: batch {ack.FirstSequence}: ack says {ack.ReadingsStored} new / {ack.ReadingsDuplicate} duplicate, "
                        + $"expected {expectStored} / {expectDuplicate} (dedupe broken)");
                    offered += batch.Readings;
                    unique += ack.ReadingsStored;
                    if (!batch.Redelivery) measured.Add(Stopwatch.GetElapsedTime(batch.At, now).TotalMilliseconds);
                    slots.Release();
                }
            }
            catch
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, failed.Token);

        try
        {
            TelemetryBatch? previous = null;
            for (var i = 0; i < batches; i++)
            {
                await IngestLoad.WaitForTurnAsync(start, batchesPerSecond, i, phase, failed.Token).ConfigureAwait(false);
                await slots.WaitAsync(failed.Token).ConfigureAwait(false);
                var batch = site.Polls.Next(IngestLoad.NowMicroseconds());
                sent.Enqueue((Stopwatch.GetTimestamp(), batch.Readings.Count, false));
                await call.RequestStream.WriteAsync(batch, failed.Token).ConfigureAwait(false);
                if (i % IngestLoad.RedeliverEvery == IngestLoad.RedeliverEvery - 1 && previous is not null)
                {
                    await slots.WaitAsync(failed.Token).ConfigureAwait(false);
                    sent.Enqueue((Stopwatch.GetTimestamp(), previous.Readings.Count, true));
                    await call.RequestStream.WriteAsync(previous, failed.Token).ConfigureAwait(false);
                }
                previous = batch;
            }
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The reader failed: its exception is the one to report.
        }
        await reader.ConfigureAwait(false);
        IngestLoad.Check(sent.IsEmpty, $"{site.Polls.SiteId}: the call ended with {sent.Count} batch(es) unacknowledged");
        latencies.Add([.. measured]);
        return (offered, unique);
    }
}
