using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Nexwatt.Protocols.Mqtt;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>
/// Agents publishing over MQTT: one <see cref="MqttClient"/> per site (3.1.1, QoS 1, up to <c>window</c> PUBACKs
/// outstanding) to nexwatt/v1/{site}/telemetry, with the same batches and redeliveries as the gRPC agents. A PUBACK
/// only means the broker has the message, so "stored" comes from the <see cref="StoreProbe"/>: the moment the
/// batch's last store write returned in the collector. A phase ends when every batch it published is stored.
/// </summary>
internal static class MqttPublishers
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromMinutes(5);

    /// <param name="batchesStoredBefore">Batches the probe has already seen stored (earlier phases).</param>
    public static async Task<LoadResult> RunAsync(int brokerPort, IReadOnlyList<BenchSite> sites, StoreProbe probe, int batchesStoredBefore,
        int batchesPerSite, int window, double? readingsPerSecond, CancellationToken cancellationToken)
    {
        double? batchesPerSecond = readingsPerSecond / sites.Count / InverterPolls.ReadingsPerBatch;
        var clients = new List<MqttClient>();
        try
        {
            foreach (var site in sites)
            {
                var client = new MqttClient(new MqttClientOptions
                {
                    Host = "127.0.0.1",
                    Port = brokerPort,
                    ClientId = $"bench-agent-{site.Polls.SiteId}",
                    ProtocolVersion = MqttProtocolVersion.V311,
                    CleanStart = true,
                    MaxInFlight = window,
                });
                clients.Add(client);
                await client.StartAsync(cancellationToken).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(15));
                await client.WaitUntilConnectedAsync(timeout.Token).ConfigureAwait(false);
            }

            var stored = probe.WhenStoredAsync(batchesStoredBefore + sites.Count * batchesPerSite);
            var published = new ConcurrentBag<(string Site, int Batch, long At)>();
            var start = Stopwatch.GetTimestamp();
            var counts = await Task.WhenAll(sites.Select((site, i) => Task.Run(() =>
                PublishAsync(clients[i], site, batchesPerSite, window, batchesPerSecond, IngestLoad.PhaseOf(i, sites.Count), start, published, cancellationToken), cancellationToken))).ConfigureAwait(false);
            await stored.WaitAsync(StoreTimeout, cancellationToken).ConfigureAwait(false);

            var latencies = new List<double>();
            long last = 0;
            foreach (var (site, batch, at) in published)
            {
                var storedAt = probe.StoredAt(site, batch) ?? throw new Harness.BenchException($"{site}: batch {batch} published but never stored");
                latencies.Add(Stopwatch.GetElapsedTime(at, storedAt).TotalMilliseconds);
                last = Math.Max(last, storedAt);
            }
            var seconds = Stopwatch.GetElapsedTime(start, last).TotalSeconds;
            return new LoadResult(counts.Sum(c => c.Offered), counts.Sum(c => c.Unique), seconds, Latency.Of(latencies));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<(long Offered, long Unique)> PublishAsync(MqttClient client, BenchSite site, int batches, int window, double? batchesPerSecond,
        double phase, long start, ConcurrentBag<(string Site, int Batch, long At)> published, CancellationToken cancellationToken)
    {
        var topic = $"nexwatt/v1/{site.Polls.SiteId}/telemetry";
        var pending = new Queue<Task>();
        long offered = 0, unique = 0;
        byte[]? previous = null;
        for (var i = 0; i < batches; i++)
        {
            await IngestLoad.WaitForTurnAsync(start, batchesPerSecond, i, phase, cancellationToken).ConfigureAwait(false);
            var batch = site.Polls.Next(IngestLoad.NowMicroseconds());
            var payload = batch.ToByteArray();
            published.Add((site.Polls.SiteId, InverterPolls.BatchOf(batch.FirstSequence), Stopwatch.GetTimestamp()));
            await PublishWindowedAsync(payload).ConfigureAwait(false);
            offered += batch.Readings.Count;
            unique += batch.Readings.Count;
            if (i % IngestLoad.RedeliverEvery == IngestLoad.RedeliverEvery - 1 && previous is not null)
            {
                await PublishWindowedAsync(previous).ConfigureAwait(false);
                offered += batch.Readings.Count;
            }
            previous = payload;
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
        return (offered, unique);

        async Task PublishWindowedAsync(byte[] payload)
        {
            pending.Enqueue(client.PublishAsync(topic, payload, MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken).AsTask());
            if (pending.Count >= window) await pending.Dequeue().ConfigureAwait(false);
        }
    }
}
