using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

/// <summary>
/// The whole store contract, run against every store (SQLite and PostgreSQL subclasses), so both answer alike.
/// Each test gets an empty database.
/// </summary>
public abstract partial class CollectorStoreTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    protected CancellationToken Ct => _timeout.Token;

    protected ICollectorStore Store { get; private set; } = null!;

    /// <summary>Prepares an empty database for this test.</summary>
    protected abstract Task CreateDatabaseAsync();

    /// <summary>A new store instance on this test's database (not initialized).</summary>
    protected abstract ICollectorStore OpenStore();

    /// <summary>Runs SQL that returns one integer on this test's database (same table and column names in both).</summary>
    protected abstract Task<long> ScalarAsync(string sql);

    /// <summary>Runs a statement on this test's database while no store has it open (schema surgery for migration tests).</summary>
    protected abstract Task ExecuteAsync(string sql);

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await CreateDatabaseAsync();
        Store = OpenStore();
        await Store.InitializeAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DropDatabaseAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Readings_are_stored_with_every_column()
    {
        var withText = Reading("site-a", 2, value: null, text: "SE10K") with { Quality = EdgeQuality.NotImplemented, Historical = true };
        Assert.Equal(2, await Store.InsertReadingsAsync([Reading("site-a", 1, value: 230.5), withText], Ct));

        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM readings"));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM readings WHERE sequence = 1 AND value = 230.5 AND text IS NULL AND device_id = 'inverter-1' AND model_id = 103 AND point = 'W'"));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM readings WHERE sequence = 2 AND value IS NULL AND text = 'SE10K' AND quality = 2 AND historical"));
        var t0Micros = (T0 - DateTimeOffset.UnixEpoch).Ticks / 10;
        Assert.Equal(t0Micros + 2_000_000, await ScalarAsync("SELECT source_time FROM readings WHERE sequence = 2"));
        Assert.Equal(t0Micros + 300_000_001, await ScalarAsync("SELECT received_time FROM readings WHERE sequence = 2"));
    }

    [Fact]
    public async Task Redelivered_readings_are_not_stored_twice()
    {
        Assert.Equal(100, await Store.InsertReadingsAsync(Readings("site-a", 1, 100), Ct));
        // After an outage the edge resends what it never saw acknowledged, overlapping what was stored.
        Assert.Equal(50, await Store.InsertReadingsAsync(Readings("site-a", 51, 150), Ct));
        Assert.Equal(0, await Store.InsertReadingsAsync(Readings("site-a", 1, 150), Ct));

        Assert.Equal(150, await ScalarAsync("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task A_rising_batch_around_stored_readings_stores_only_the_new_ones()
    {
        // In sequence order like a first delivery, yet its range holds readings stored before (a re-chunked resend).
        Assert.Equal(2, await Store.InsertReadingsAsync([Reading("site-a", 5), Reading("site-a", 9)], Ct));

        Assert.Equal(8, await Store.InsertReadingsAsync(Readings("site-a", 1, 10), Ct));
        Assert.Equal(10, await ScalarAsync("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task A_batch_of_several_sites_stores_what_each_site_lacks()
    {
        Assert.Equal(3, await Store.InsertReadingsAsync(Readings("site-b", 1, 3), Ct));
        IReadOnlyList<IngestedReading> mixed = [.. Readings("site-a", 1, 3), .. Readings("site-b", 2, 4), .. Readings("site-c", 1, 2)];

        Assert.Equal(6, await Store.InsertReadingsAsync(mixed, Ct));
        Assert.Equal(9, await ScalarAsync("SELECT count(*) FROM readings"));
        Assert.Equal(4, await ScalarAsync("SELECT count(*) FROM readings WHERE site_id = 'site-b'"));
    }

    [Fact]
    public async Task Duplicates_within_one_call_are_stored_once()
    {
        IReadOnlyList<IngestedReading> batch = [Reading("site-a", 1), Reading("site-a", 2), Reading("site-a", 2), Reading("site-a", 3), Reading("site-a", 1)];

        Assert.Equal(3, await Store.InsertReadingsAsync(batch, Ct));
        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task The_same_sequence_from_two_sites_is_two_readings()
    {
        Assert.Equal(2, await Store.InsertReadingsAsync([Reading("site-a", 7), Reading("site-b", 7)], Ct));
    }

    [Fact]
    public async Task Sequences_above_the_signed_range_keep_their_identity()
    {
        IReadOnlyList<IngestedReading> batch = [Reading("site-a", ulong.MaxValue), Reading("site-a", ulong.MaxValue - 1), Reading("site-a", 1UL << 63)];

        Assert.Equal(3, await Store.InsertReadingsAsync(batch, Ct));
        Assert.Equal(0, await Store.InsertReadingsAsync(batch, Ct));
    }

    [Fact]
    public async Task Concurrent_overlapping_batches_store_each_reading_once()
    {
        // Eight writers, each batch overlapping its neighbours by half, in both key orders.
        var batches = Enumerable.Range(0, 8).Select(i =>
        {
            var readings = Readings("site-a", (ulong)(i * 500 + 1), (ulong)(i * 500 + 1000)).ToList();
            if (i % 2 == 1) readings.Reverse();
            return readings;
        }).ToList();

        var inserted = await Task.WhenAll(batches.Select(b => Task.Run(() => Store.InsertReadingsAsync(b, Ct))));

        Assert.Equal(4500, inserted.Sum());
        Assert.Equal(4500, await ScalarAsync("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task An_empty_batch_stores_nothing()
    {
        Assert.Equal(0, await Store.InsertReadingsAsync([], Ct));
        await Store.InsertSamplesAsync([], Ct);
        await Store.UpsertIntervalsAsync([], Ct);
        await Store.InsertGapsAsync([], Ct);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task A_cancelled_call_stores_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.InsertReadingsAsync(Readings("site-a", 1, 10), cancelled.Token));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task Data_survives_reopening_the_store()
    {
        await Store.InsertReadingsAsync(Readings("site-a", 1, 10), Ct);
        await Store.UpsertAssetAsync(Asset("pv-1"), Ct);
        await Store.DisposeAsync();

        Store = OpenStore();
        await Store.InitializeAsync(Ct);
        await Store.InitializeAsync(Ct); // idempotent

        Assert.Equal(0, await Store.InsertReadingsAsync(Readings("site-a", 1, 10), Ct));
        Assert.NotNull(await Store.GetAssetAsync("pv-1", Ct));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM schema_version"));
    }
}
