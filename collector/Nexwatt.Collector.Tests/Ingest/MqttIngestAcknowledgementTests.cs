using System.Globalization;
using Google.Protobuf;
using Nexwatt.Collector.Domain;
using Nexwatt.Data.Sqlite;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>
/// The collector's MQTT ingest acknowledges a batch only once it is stored. The store fails for real here: the test
/// holds SQLite's write lock on the collector's database, so every write times out with "database is locked" (busy
/// timeout 5 s) until the test lets go.
/// </summary>
public sealed class MqttIngestAcknowledgementTests
{
    private const string Topic = "nexwatt/v1/site-s/telemetry";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-5);

    private static Dictionary<string, string?> MqttIngest(Mosquitto broker, string clientId, int concurrency = 1) => new()
    {
        // 1 is SQLite's default; 4 (PostgreSQL's) stores batches side by side and still acknowledges them in order.
        ["Collector:MqttIngest:MaxConcurrentBatches"] = concurrency.ToString(CultureInfo.InvariantCulture),
        ["Collector:MqttIngest:Enabled"] = "true",
        ["Collector:MqttIngest:Host"] = broker.Host,
        ["Collector:MqttIngest:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Collector:MqttIngest:TlsEnabled"] = "false",
        ["Collector:MqttIngest:ClientId"] = clientId,
    };

    private static async Task<MqttClient> ConnectSiteAsync(Mosquitto broker)
    {
        var site = new MqttClient(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = "site-s-agent", CleanStart = true });
        await site.StartAsync(CancellationToken.None);
        await site.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return site;
    }

    private static ValueTask PublishBatchAsync(MqttClient site, ulong firstSequence) =>
        site.PublishAsync(Topic, CollectorServer.Batch("site-s", "inverter", firstSequence, 5, 1000, Start.AddSeconds(firstSequence)).ToByteArray(),
            MqttQualityOfService.AtLeastOnce);

    private static async Task<IReadOnlyList<ulong>> WaitForSequencesAsync(CollectorServer collector, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var samples = await collector.Store.GetSamplesAsync("pv-s", Measurement.ActivePowerW, Start.AddMinutes(-1), Start.AddMinutes(10), default);
            if (samples.Count >= count) return samples.Select(s => s.Sequence).Order().ToList();
            Assert.True(DateTime.UtcNow < deadline, $"{samples.Count} of {count} samples stored after {Patience}.");
            await Task.Delay(100);
        }
    }

    /// <summary>Holds SQLite's write lock on the collector's database until disposed.</summary>
    private static IDisposable LockDatabase(CollectorServer collector)
    {
        var database = SqliteDatabase.Open(Path.Combine(collector.Directory, "collector.db"), readOnly: false);
        var transaction = database.BeginTransaction(immediate: true);
        return new Unlock(() => { transaction.Dispose(); database.Dispose(); });
    }

    private sealed class Unlock(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_batch_the_store_refused_is_retried_in_place_and_stored_with_the_batches_behind_it_once_the_store_recovers(int concurrency)
    {
        await using var broker = await Mosquitto.StartAsync();
        var logs = new CollectedLogs();
        await using var collector = await CollectorServer.StartAsync(MqttIngest(broker, "collector-retry", concurrency), logs: logs);
        await collector.RegisterSiteWithAssetAsync("site-s", "pv-s", "inverter");
        await using var site = await ConnectSiteAsync(broker);
        await PublishBatchAsync(site, 1);
        await WaitForSequencesAsync(collector, 5); // subscribed and storing

        using (LockDatabase(collector))
        {
            await PublishBatchAsync(site, 6);
            await PublishBatchAsync(site, 11);
            await logs.WaitForAsync($"Could not store the MQTT batch from {Topic} (attempt 1)", Patience);
            var stored = await collector.Store.GetSamplesAsync("pv-s", Measurement.ActivePowerW, Start.AddMinutes(-1), Start.AddMinutes(10), default);
            Assert.Equal(5, stored.Count);
        }

        Assert.Equal(Enumerable.Range(1, 15).Select(i => (ulong)i), await WaitForSequencesAsync(collector, 15));
        Assert.Contains(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("database is locked", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_batch_that_was_not_stored_is_not_acknowledged_and_reaches_a_restarted_collector_while_refused_batches_do_not(int concurrency)
    {
        await using var broker = await Mosquitto.StartAsync();
        var logs = new CollectedLogs();
        var settings = MqttIngest(broker, "collector-crash", concurrency);
        var collector = await CollectorServer.StartAsync(settings, logs: logs, deleteOnDispose: false);
        var directory = collector.Directory;
        try
        {
            await collector.RegisterSiteWithAssetAsync("site-s", "pv-s", "inverter");
            await using var site = await ConnectSiteAsync(broker);
            await PublishBatchAsync(site, 1);
            await WaitForSequencesAsync(collector, 5);
            // Refused for good, so acknowledged: redelivering it would only be refused again.
            await site.PublishAsync(Topic, "not a batch"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
            await logs.WaitForAsync("undecodable batch", Patience);

            using (LockDatabase(collector))
            {
                await PublishBatchAsync(site, 6);
                await logs.WaitForAsync($"Could not store the MQTT batch from {Topic} (attempt 1)", Patience);
                // The collector goes away with the batch unstored (and, with automatic PUBACK, lost).
                await collector.DisposeAsyncKeepingDirectory();
            }

            var restartedLogs = new CollectedLogs();
            collector = await CollectorServer.StartAsync(settings, directory, collector.GrpcPort, collector.ApiPort, deleteOnDispose: true, logs: restartedLogs);
            // Only the broker can bring sequences 6..10 back: the site published them once, before the restart.
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), await WaitForSequencesAsync(collector, 10));
            // Redelivery keeps the original order, so an unacknowledged refused batch would have come (and been logged) first.
            Assert.DoesNotContain(restartedLogs.Lines, l => l.Contains("undecodable", StringComparison.Ordinal));
        }
        finally
        {
            await collector.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
