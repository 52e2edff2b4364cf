using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

// Programs on assets and the dispatch tables, on both stores.
public abstract partial class CollectorStoreTests
{
    private IDispatchStore Dispatches => (IDispatchStore)Store;

    private static DispatchRecord Dispatch(string id = "d-1", string status = DispatchStatus.Active) =>
        new(id, "PJM-fleet", "PJM", DispatchDirection.Discharge, 2.5, T0, T0.AddHours(1), status, T0.AddSeconds(-3), 2.25);

    private static SetpointRecord Setpoint(string id, string site, DateTimeOffset issued, string dispatch = "d-1", int revision = 0) =>
        new(id, dispatch, site, revision, issued, T0, T0.AddHours(1), new byte[] { 1, 2, 3, (byte)id.Length }, SetpointState.Pending);

    [Fact]
    public async Task An_asset_keeps_its_program_and_defaults_to_the_default_program()
    {
        var cohort = Asset("bess-1", AssetType.Battery, storageKwh: 20) with { Program = "summer-saver" };
        await Store.UpsertAssetAsync(cohort, Ct);
        await Store.UpsertAssetAsync(Asset("pv-1"), Ct);

        Assert.Equal(cohort, await Store.GetAssetAsync("bess-1", Ct));
        Assert.Equal(AssetRecord.DefaultProgram, (await Store.GetAssetAsync("pv-1", Ct))!.Program);
        Assert.Equal(["default", "summer-saver"], (await Store.ListAssetsAsync(null, false, Ct)).Select(a => a.Program).Order());
    }

    [Fact]
    public async Task A_database_from_before_programs_gains_the_column_with_the_default()
    {
        await Store.UpsertAssetAsync(Asset("pv-1"), Ct);
        await Store.DisposeAsync();
        await ExecuteAsync("ALTER TABLE assets DROP COLUMN program");

        Store = OpenStore();
        await Store.InitializeAsync(Ct);

        Assert.Equal(AssetRecord.DefaultProgram, (await Store.GetAssetAsync("pv-1", Ct))!.Program);
        await Store.UpsertAssetAsync(Asset("pv-2") with { Program = "p2" }, Ct);
        Assert.Equal("p2", (await Store.GetAssetAsync("pv-2", Ct))!.Program);
    }

    [Fact]
    public async Task Dispatches_round_trip_and_only_open_ones_are_listed()
    {
        await Dispatches.InsertDispatchAsync(Dispatch("d-1"), Ct);
        await Dispatches.InsertDispatchAsync(Dispatch("d-2") with { Direction = DispatchDirection.Curtail, CreatedAt = T0 }, Ct);
        await Dispatches.InsertDispatchAsync(Dispatch("d-3", DispatchStatus.Completed), Ct);

        Assert.Equal(Dispatch("d-1"), await Dispatches.GetDispatchAsync("d-1", Ct));
        Assert.Null(await Dispatches.GetDispatchAsync("missing", Ct));
        Assert.Equal(["d-1", "d-2"], (await Dispatches.ListOpenDispatchesAsync(Ct)).Select(d => d.DispatchId));

        await Dispatches.UpdateDispatchAsync("d-1", DispatchStatus.Completed, 1.75, Ct);
        Assert.Equal(Dispatch("d-1", DispatchStatus.Completed) with { MegawattsExpected = 1.75 }, await Dispatches.GetDispatchAsync("d-1", Ct));
        Assert.Equal(DispatchDirection.Curtail, (await Dispatches.GetDispatchAsync("d-2", Ct))!.Direction);
    }

    [Fact]
    public async Task Spans_round_trip_and_a_reallocation_closes_the_open_ones()
    {
        var first = new AllocationSpan("d-1", 0, "bess-1", "site-a", "battery-1", "default", 7.5, 10, "share of headroom", T0, T0.AddHours(1));
        var second = first with { AssetId = "bess-2", DeviceId = "battery-2", Kilowatts = 2.5 };
        await Dispatches.InsertSpansAsync([second, first], Ct);
        Assert.Equal([first, second], await Dispatches.GetSpansAsync("d-1", Ct));

        var at = T0.AddMinutes(10);
        await Dispatches.CloseSpansAsync("d-1", at, Ct);
        var next = first with { Revision = 1, Kilowatts = 10, From = at };
        await Dispatches.InsertSpansAsync([next], Ct);

        Assert.Equal([first with { To = at }, second with { To = at }, next], await Dispatches.GetSpansAsync("d-1", Ct));
        Assert.Empty(await Dispatches.GetSpansAsync("d-2", Ct));
    }

    [Fact]
    public async Task Setpoints_round_trip_with_their_bytes_and_acknowledgement()
    {
        var sent = Setpoint("sp-1", "site-a", T0.AddSeconds(1));
        await Dispatches.InsertSetpointAsync(sent, Ct);

        var stored = await Dispatches.GetSetpointAsync("sp-1", Ct);
        Assert.Equal(sent.Signed.ToArray(), stored!.Signed.ToArray());
        Assert.Equal(sent with { Signed = default }, stored with { Signed = default });

        Assert.True(await Dispatches.RecordAckAsync("sp-1", "partial", "battery-2 at reserve", 4999.5, T0.AddSeconds(2), Ct));
        Assert.False(await Dispatches.RecordAckAsync("sp-missing", "applied", null, null, T0, Ct));
        var acked = await Dispatches.GetSetpointAsync("sp-1", Ct);
        Assert.Equal((SetpointState.Acked, "partial", "battery-2 at reserve", 4999.5, T0.AddSeconds(2)),
            (acked!.State, acked.AckResult, acked.AckReason, acked.MeasuredW, acked.AckedAt));
    }

    [Fact]
    public async Task A_later_setpoint_supersedes_the_earlier_ones_of_its_site_and_dispatch()
    {
        await Dispatches.InsertSetpointAsync(Setpoint("sp-1", "site-a", T0.AddSeconds(1)), Ct);
        await Dispatches.InsertSetpointAsync(Setpoint("sp-2", "site-b", T0.AddSeconds(1)), Ct);
        await Dispatches.InsertSetpointAsync(Setpoint("sp-0", "site-a", T0, dispatch: "d-0"), Ct);
        await Dispatches.InsertSetpointAsync(Setpoint("sp-3", "site-a", T0.AddSeconds(9), revision: 1), Ct);
        await Dispatches.SupersedeSetpointsAsync("d-1", "site-a", "sp-3", Ct);

        Assert.Equal(["sp-1", "sp-2", "sp-3"], (await Dispatches.GetSetpointsAsync("d-1", Ct)).Select(s => s.SetpointId));
        Assert.Equal(SetpointState.Superseded, (await Dispatches.GetSetpointAsync("sp-1", Ct))!.State);
        Assert.Equal(["sp-0", "sp-3"], (await Dispatches.GetLiveSetpointsAsync("site-a", T0.AddMinutes(1), Ct)).Select(s => s.SetpointId));
        Assert.Empty(await Dispatches.GetLiveSetpointsAsync("site-a", T0.AddHours(1), Ct)); // expired

        // An acknowledgement of a superseded setpoint is recorded but does not make it current again.
        Assert.True(await Dispatches.RecordAckAsync("sp-1", "applied", null, 1.0, T0.AddSeconds(20), Ct));
        Assert.Equal(SetpointState.Superseded, (await Dispatches.GetSetpointAsync("sp-1", Ct))!.State);
    }

    [Fact]
    public async Task Issuing_stores_a_fleet_of_setpoints_and_supersedes_each_site_s_earlier_ones_at_once()
    {
        await Dispatches.IssueSetpointsAsync([Setpoint("sp-a1", "site-a", T0), Setpoint("sp-b1", "site-b", T0)], Ct);
        await Dispatches.RecordAckAsync("sp-a1", "applied", null, 5000, T0.AddSeconds(1), Ct);
        await Dispatches.IssueSetpointsAsync([Setpoint("sp-a2", "site-a", T0.AddSeconds(5), revision: 1), Setpoint("sp-c1", "site-c", T0.AddSeconds(5), revision: 1)], Ct);
        await Dispatches.IssueSetpointsAsync([], Ct);

        var states = (await Dispatches.GetSetpointsAsync("d-1", Ct)).ToDictionary(s => s.SetpointId, s => s.State);
        Assert.Equal(new Dictionary<string, string>
        {
            ["sp-a1"] = SetpointState.Superseded, ["sp-b1"] = SetpointState.Pending, ["sp-a2"] = SetpointState.Pending, ["sp-c1"] = SetpointState.Pending,
        }, states);
        var a2 = await Dispatches.GetSetpointAsync("sp-a2", Ct);
        Assert.Equal(Setpoint("sp-a2", "site-a", T0.AddSeconds(5), revision: 1).Signed.ToArray(), a2!.Signed.ToArray());
        Assert.Equal((1, T0.AddSeconds(5), (string?)null), (a2.Revision, a2.IssuedAt, a2.AckResult));
    }

    [Fact]
    public async Task Setpoints_are_read_by_id_in_one_call_and_missing_ids_are_left_out()
    {
        await Dispatches.IssueSetpointsAsync([Setpoint("sp-a", "site-a", T0), Setpoint("sp-b", "site-b", T0), Setpoint("sp-c", "site-c", T0)], Ct);

        var found = await Dispatches.GetSetpointsByIdAsync(["sp-c", "sp-missing", "sp-a"], Ct);

        Assert.Equal(["sp-a", "sp-c"], found.Select(s => s.SetpointId).Order(StringComparer.Ordinal));
        var c = found.Single(s => s.SetpointId == "sp-c");
        Assert.Equal(Setpoint("sp-c", "site-c", T0).Signed.ToArray(), c.Signed.ToArray());
        Assert.Equal(Setpoint("sp-c", "site-c", T0) with { Signed = default }, c with { Signed = default });
        Assert.Empty(await Dispatches.GetSetpointsByIdAsync([], Ct));
    }

    [Fact]
    public async Task A_batch_of_acknowledgements_is_recorded_with_one_event_each_numbered_after_the_log()
    {
        await Dispatches.IssueSetpointsAsync([Setpoint("sp-a", "site-a", T0), Setpoint("sp-b", "site-b", T0), Setpoint("sp-x", "site-x", T0, dispatch: "d-2")], Ct);
        await Dispatches.IssueSetpointsAsync([Setpoint("sp-a2", "site-a", T0.AddSeconds(5), revision: 1)], Ct); // sp-a superseded
        await Dispatches.AppendEventAsync("d-1", T0, DispatchEventKinds.SetpointsIssued, "{}", Ct);

        IReadOnlyList<SetpointAckRecord> acks =
        [
            new("sp-b", "d-1", "partial", "battery-2 at reserve", 2500.5, T0.AddSeconds(1), """{"n":1}"""),
            new("sp-missing", "d-1", "applied", null, null, T0.AddSeconds(1), """{"n":2}"""),
            new("sp-x", "d-2", "applied", null, null, T0.AddSeconds(2), """{"n":3}"""),
            new("sp-a", "d-1", "applied", null, 5000, T0.AddSeconds(2), """{"n":4}"""),
            new("sp-b", "d-1", "rejected", "tripped", null, T0.AddSeconds(3), """{"n":5}"""),
        ];
        var events = await Dispatches.RecordAcksAsync(acks, Ct);

        Assert.Equal([("d-1", 2L), null, ("d-2", 1L), ("d-1", 3L), ("d-1", 4L)], events.Select(e => e is null ? ((string, long)?)null : (e.DispatchId, e.Sequence)));
        Assert.Equal(
            [
                new DispatchEvent("d-1", 2, T0.AddSeconds(1), DispatchEventKinds.SiteAcknowledged, """{"n":1}"""),
                new DispatchEvent("d-1", 3, T0.AddSeconds(2), DispatchEventKinds.SiteAcknowledged, """{"n":4}"""),
                new DispatchEvent("d-1", 4, T0.AddSeconds(3), DispatchEventKinds.SiteAcknowledged, """{"n":5}"""),
            ],
            (await Dispatches.GetEventsAsync("d-1", Ct)).Skip(1));
        Assert.Equal([events[2]!], await Dispatches.GetEventsAsync("d-2", Ct));

        // In order: the later answer of a site is the record. A superseded setpoint stays superseded.
        var b = await Dispatches.GetSetpointAsync("sp-b", Ct);
        Assert.Equal((SetpointState.Acked, "rejected", "tripped", (double?)null, T0.AddSeconds(3)), (b!.State, b.AckResult, b.AckReason, b.MeasuredW, b.AckedAt));
        var a = await Dispatches.GetSetpointAsync("sp-a", Ct);
        Assert.Equal((SetpointState.Superseded, "applied", 5000.0, T0.AddSeconds(2)), (a!.State, a.AckResult, a.MeasuredW!.Value, a.AckedAt!.Value));
        Assert.Equal(SetpointState.Acked, (await Dispatches.GetSetpointAsync("sp-x", Ct))!.State);

        Assert.Empty(await Dispatches.RecordAcksAsync([], Ct));
        Assert.Equal(5, (await Dispatches.AppendEventAsync("d-1", T0.AddSeconds(4), DispatchEventKinds.DispatchConfirmed, "{}", Ct)).Sequence);
    }

    [Fact]
    public async Task Concurrent_batches_and_single_events_of_one_dispatch_get_distinct_sequences()
    {
        var setpoints = Enumerable.Range(0, 40).Select(i => Setpoint($"sp-{i}", $"site-{i}", T0)).ToList();
        await Dispatches.IssueSetpointsAsync(setpoints, Ct);

        var batches = setpoints.Chunk(10).Select(chunk => Task.Run(async () => (await Dispatches.RecordAcksAsync(
            chunk.Select(s => new SetpointAckRecord(s.SetpointId, "d-1", "applied", null, null, T0, "{}")).ToList(), Ct)).Select(e => e!.Sequence)));
        var singles = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            (IEnumerable<long>)[(await Dispatches.AppendEventAsync("d-1", T0, DispatchEventKinds.SiteFailed, "{}", Ct)).Sequence]));
        var sequences = (await Task.WhenAll(batches.Concat(singles))).SelectMany(s => s);

        Assert.Equal(Enumerable.Range(1, 48).Select(i => (long)i), sequences.Order());
        Assert.Equal(48, (await Dispatches.GetEventsAsync("d-1", Ct)).Count);
    }

    [Fact]
    public async Task Events_are_numbered_per_dispatch_in_order()
    {
        var appended = new List<DispatchEvent>();
        for (var i = 0; i < 3; i++)
            appended.Add(await Dispatches.AppendEventAsync("d-1", T0.AddSeconds(i), DispatchEventKinds.SiteAcknowledged, $$"""{"i":{{i}}}""", Ct));
        appended.Add(await Dispatches.AppendEventAsync("d-2", T0, DispatchEventKinds.InstructionReceived, "{}", Ct));

        Assert.Equal([1L, 2L, 3L, 1L], appended.Select(e => e.Sequence));
        Assert.Equal(appended.Take(3), await Dispatches.GetEventsAsync("d-1", Ct));
        Assert.Empty(await Dispatches.GetEventsAsync("d-3", Ct));
    }

    [Fact]
    public async Task Concurrent_events_of_one_dispatch_get_distinct_sequences()
    {
        var appended = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => Dispatches.AppendEventAsync("d-1", T0, DispatchEventKinds.SiteAcknowledged, "{}", Ct))));

        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), appended.Select(e => e.Sequence).Order());
    }
}
