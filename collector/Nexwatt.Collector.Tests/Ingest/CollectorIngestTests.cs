using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nexwatt.Collector.Domain;
using Grpc.Core;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>The collector host end to end in process: identity, dedupe, refusals, normalization and intervals.</summary>
public class CollectorIngestTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-10) is var t ? new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero) : default;

    [Fact]
    public async Task The_management_api_is_closed_without_a_valid_token()
    {
        await using var server = await CollectorServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.Api.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/fleet/totals")).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/fleet/totals")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Api.GetAsync("/v1/fleet/totals")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_site_is_refused_with_Unauthenticated_and_nothing_is_stored()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");

        var error = await Assert.ThrowsAsync<RpcException>(() => server.UploadAsync("not-a-token", CollectorServer.Batch(null, "inverter", 1, 5, 1000, Start)));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("unknown site token", error.Status.Detail);
        var none = await Assert.ThrowsAsync<RpcException>(() => server.UploadAsync(null, CollectorServer.Batch(null, "inverter", 1, 5, 1000, Start)));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Empty(await server.Store.GetSamplesAsync("pv-a", Measurement.ActivePowerW, Start.AddHours(-1), Start.AddHours(1), default));
    }

    [Fact]
    public async Task A_site_writes_only_its_own_data()
    {
        await using var server = await CollectorServer.StartAsync();
        var tokenA = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        await server.RegisterSiteWithAssetAsync("site-b", "pv-b", "inverter");

        var error = await Assert.ThrowsAsync<RpcException>(() => server.UploadAsync(tokenA, CollectorServer.Batch("site-b", "inverter", 1, 5, 1000, Start)));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Empty(await server.Store.GetSamplesAsync("pv-b", Measurement.ActivePowerW, Start.AddHours(-1), Start.AddHours(1), default));
        Assert.Empty(await server.Store.GetSamplesAsync("pv-a", Measurement.ActivePowerW, Start.AddHours(-1), Start.AddHours(1), default));
    }

    [Fact]
    public async Task Redelivery_is_acknowledged_as_duplicate_and_never_double_counted()
    {
        await using var server = await CollectorServer.StartAsync();
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        var first = CollectorServer.Batch("site-a", "inverter", 100, 10, 1000, Start);
        var second = CollectorServer.Batch("site-a", "inverter", 110, 10, 1010, Start.AddSeconds(10));

        var acks = await server.UploadAsync(token, first, second);
        // The outage replays the first batch (and overlaps into the second) as history.
        var replay = CollectorServer.Batch("site-a", "inverter", 105, 10, 1005, Start.AddSeconds(5), historical: true);
        var again = await server.UploadAsync(token, first, replay);

        Assert.Equal([10u, 10u], acks.Select(a => a.ReadingsStored));
        Assert.All(acks, a => Assert.Equal(UploadAck.Types.Status.Stored, a.Status));
        Assert.Equal((100ul, 109ul), (acks[0].FirstSequence, acks[0].LastSequence));
        Assert.Equal([0u, 0u], again.Select(a => a.ReadingsStored));
        Assert.Equal([10u, 10u], again.Select(a => a.ReadingsDuplicate));
        var samples = await server.Store.GetSamplesAsync("pv-a", Measurement.ActivePowerW, Start.AddMinutes(-1), Start.AddMinutes(1), default);
        Assert.Equal(20, samples.Count);
        Assert.Equal(Enumerable.Range(100, 20).Select(i => (ulong)i), samples.Select(s => s.Sequence).Order());
    }

    [Fact]
    public async Task A_malformed_batch_is_rejected_with_a_reason_and_the_call_goes_on()
    {
        await using var server = await CollectorServer.StartAsync();
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        var broken = CollectorServer.Batch("site-a", "inverter", 1, 3, 1000, Start);
        broken.Readings[1].Sequence = 0;

        var acks = await server.UploadAsync(token, broken, CollectorServer.Batch("site-a", "inverter", 10, 3, 1000, Start));

        Assert.Equal(UploadAck.Types.Status.Rejected, acks[0].Status);
        Assert.Contains("no sequence", acks[0].Message);
        Assert.Equal(UploadAck.Types.Status.Stored, acks[1].Status);
        Assert.Equal(3u, acks[1].ReadingsStored);
    }

    [Fact]
    public async Task Stored_readings_become_normalized_intervals_and_fleet_totals()
    {
        await using var server = await CollectorServer.StartAsync();
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        // 20 seconds of readings: four whole 5 s intervals, values 2000..2019 W.
        await server.UploadAsync(token, CollectorServer.Batch("site-a", "inverter", 1, 20, 2000, Start));

        JsonElement[] intervals = [];
        for (var i = 0; i < 50 && intervals.Length < 4; i++)
        {
            await Task.Delay(200);
            var response = await server.Api.GetFromJsonAsync<JsonElement>($"/v1/assets/pv-a/intervals?measurement=ActivePowerW&from={Start:O}&to={Start.AddSeconds(20):O}".Replace("+", "%2B"));
            intervals = response.EnumerateArray().Where(e => e.GetProperty("samples").GetInt32() > 0).ToArray();
        }
        Assert.Equal(4, intervals.Length);
        // Interval k holds 2000+5k .. 2004+5k: average, min, max, last from the samples themselves.
        for (var k = 0; k < 4; k++)
        {
            Assert.Equal(2002 + 5 * k, intervals[k].GetProperty("average").GetDouble(), 9);
            Assert.Equal(2000 + 5 * k, intervals[k].GetProperty("min").GetDouble());
            Assert.Equal(2004 + 5 * k, intervals[k].GetProperty("last").GetDouble());
            Assert.Equal(5, intervals[k].GetProperty("samples").GetInt32());
        }
        var latest = await server.Api.GetFromJsonAsync<JsonElement>("/v1/assets/pv-a/latest");
        Assert.Equal(2019, latest.EnumerateArray().Single(l => l.GetProperty("measurement").GetString() == "ActivePowerW").GetProperty("value").GetDouble());
    }
}
