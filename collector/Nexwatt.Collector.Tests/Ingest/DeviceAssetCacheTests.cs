using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Ingest;
using Nexwatt.Collector.Tests.Registry;
using Nexwatt.Testing;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Ingest;

public class DeviceAssetCacheTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    private readonly InMemoryAssetStore _store = new();
    private readonly FakeTimeProvider _time = new();
    private readonly DeviceAssetCache _cache;
    private readonly CancellationToken _ct = CancellationToken.None;

    public DeviceAssetCacheTests() => _cache = new DeviceAssetCache(_store, _time, Duration);

    [Fact]
    public async Task Within_the_duration_the_store_is_asked_once()
    {
        var asset = await LinkAsync("pv-1", "site-a", "inverter-1");

        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));
        _time.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));

        Assert.Equal(1, _store.DeviceLookups);
    }

    [Fact]
    public async Task Each_site_and_device_is_its_own_entry()
    {
        var first = await LinkAsync("pv-1", "site-a", "inverter-1");
        var second = await LinkAsync("pv-2", "site-b", "inverter-1");

        Assert.Equal(first, await _cache.FindAsync("site-a", "inverter-1", _ct));
        Assert.Equal(second, await _cache.FindAsync("site-b", "inverter-1", _ct));
        Assert.Null(await _cache.FindAsync("site-a", "inverter-2", _ct));
        Assert.Equal(first, await _cache.FindAsync("site-a", "inverter-1", _ct));

        Assert.Equal(3, _store.DeviceLookups);
    }

    [Fact]
    public async Task A_change_made_elsewhere_shows_once_the_duration_has_passed()
    {
        // Written straight to the store, as another collector on the same database would: nothing invalidates.
        var asset = await LinkAsync("pv-1", "site-a", "inverter-1");
        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));
        await _store.UpsertAssetAsync(asset with { Status = AssetStatus.Retired }, _ct);

        _time.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(await _cache.FindAsync("site-a", "inverter-1", _ct));

        Assert.Equal(2, _store.DeviceLookups);
    }

    [Fact]
    public async Task No_asset_is_remembered_too()
    {
        Assert.Null(await _cache.FindAsync("site-a", "inverter-1", _ct));
        var asset = await LinkAsync("pv-1", "site-a", "inverter-1");

        Assert.Null(await _cache.FindAsync("site-a", "inverter-1", _ct));
        Assert.Equal(1, _store.DeviceLookups);
        _time.Advance(Duration);
        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));
        Assert.Equal(2, _store.DeviceLookups);
    }

    [Fact]
    public async Task Invalidate_forgets_every_answer()
    {
        Assert.Null(await _cache.FindAsync("site-a", "inverter-1", _ct));
        var other = await LinkAsync("pv-2", "site-a", "inverter-2");
        Assert.Equal(other, await _cache.FindAsync("site-a", "inverter-2", _ct));
        var asset = await LinkAsync("pv-1", "site-a", "inverter-1");

        _cache.Invalidate();

        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));
        Assert.Equal(other, await _cache.FindAsync("site-a", "inverter-2", _ct));
        Assert.Equal(4, _store.DeviceLookups);
    }

    [Fact]
    public async Task An_answer_read_before_an_invalidation_is_not_kept()
    {
        // The lookup reads "no asset", then the registry links the device and invalidates while the query is still
        // on its way back: the stale answer is returned to its caller (it was true when asked) but never reused.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.DeviceLookupGate = gate.Task;
        var slow = _cache.FindAsync("site-a", "inverter-1", _ct).AsTask();
        var asset = await LinkAsync("pv-1", "site-a", "inverter-1");
        _cache.Invalidate();
        gate.SetResult();
        Assert.Null(await slow);

        Assert.Equal(asset, await _cache.FindAsync("site-a", "inverter-1", _ct));
        Assert.Equal(2, _store.DeviceLookups);
    }

    [Fact]
    public async Task A_zero_duration_asks_the_store_every_time()
    {
        var cache = new DeviceAssetCache(_store, _time, TimeSpan.Zero);
        await LinkAsync("pv-1", "site-a", "inverter-1");

        await cache.FindAsync("site-a", "inverter-1", _ct);
        await cache.FindAsync("site-a", "inverter-1", _ct);

        Assert.Equal(2, _store.DeviceLookups);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceAssetCache(_store, _time, TimeSpan.FromSeconds(-1)));
    }

    private async Task<AssetRecord> LinkAsync(string assetId, string siteId, string deviceId)
    {
        var asset = Asset(assetId, site: siteId, device: deviceId);
        await _store.UpsertAssetAsync(asset, _ct);
        return asset;
    }
}
