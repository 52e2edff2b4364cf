using System.Net;
using Google.Protobuf;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>What the collector logs for an operator: no noise for legitimate calls, one line for each thing that matters.</summary>
public sealed class OperatorLogTests
{
    private const string Upload = "/nexwatt.v1.TelemetryIngest/Upload";
    private const string Setpoints = "/nexwatt.v1.SiteDispatch/StreamSetpoints";

    private static readonly Dictionary<string, string?> Verbose = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Routing"] = "Warning",
    };

    [Fact]
    public async Task Legitimate_site_calls_do_not_run_the_management_scheme_and_the_management_api_still_refuses_a_bad_token()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(Verbose, logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        var now = DateTimeOffset.UtcNow;
        for (ulong i = 0; i < 3; i++)
            Assert.Equal(UploadAck.Types.Status.Stored, Assert.Single(await server.UploadAsync(token, CollectorServer.Batch(null, "inverter", 1 + i * 10, 3, 100, now))).Status);
        using (var cts = new CancellationTokenSource())
        {
            using var stream = server.StreamSetpoints(token, cts.Token);
            await logs.WaitForAsync("Setpoint stream opened by site site-a", TimeSpan.FromSeconds(20));
            cts.Cancel();
        }
        await server.AcknowledgeAsync(token, new SetpointAck { SetpointId = "none" });

        using var stranger = new HttpClient { BaseAddress = server.Api.BaseAddress };
        stranger.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-management-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/v1/assets")).StatusCode);

        // The only line of the management scheme is for the management request that really had a wrong token.
        Assert.Single(logs.Lines, l => l.Contains("ManagementToken was not authenticated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Site_registration_and_a_sites_first_telemetry_are_logged_once()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(Verbose, logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        var registered = await logs.WaitForAsync("Site site-a registered", TimeSpan.FromSeconds(5));
        Assert.Contains("new: True, token issued: True", registered);
        Assert.DoesNotContain(token, string.Join('\n', logs.Lines)); // never the token itself

        var now = DateTimeOffset.UtcNow;
        await server.UploadAsync(token, CollectorServer.Batch(null, "inverter", 1, 4, 100, now));
        await server.UploadAsync(token, CollectorServer.Batch(null, "inverter", 5, 4, 100, now.AddSeconds(10)));
        var first = Assert.Single(logs.Lines, l => l.Contains("first telemetry", StringComparison.Ordinal));
        Assert.Contains("Site site-a: first telemetry since start (4 reading(s), 4 new)", first);
    }

    [Fact]
    public async Task Malformed_oversized_and_gzip_bomb_messages_are_each_refused_with_one_line_naming_the_site_and_reason()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        using var raw = new RawGrpc(server.GrpcPort);

        // Not protobuf: field 0 / wire type 7.
        Assert.Equal(13, await raw.CallAsync(Upload, token, RawGrpc.Frame([0xFF, 0xFF, 0xFF])));
        // Declares 50 MB (over the 4 MiB limit) and sends only the prefix.
        Assert.Equal(8, await raw.CallAsync(Upload, token, RawGrpc.Frame([], declaredLength: 50_000_000)));
        // 64 MiB of zeros gzipped to about 64 KB.
        Assert.Equal(8, await raw.CallAsync(Upload, token, RawGrpc.Frame(RawGrpc.Gzip(new byte[64 << 20]), compressed: true), gzip: true));
        // The setpoint stream's one request, malformed.
        Assert.Equal(13, await raw.CallAsync(Setpoints, token, RawGrpc.Frame([0x0A, 0x7F])));

        var refused = logs.Lines.Where(l => l.Contains("Refused a gRPC message", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, refused.Count);
        Assert.All(refused, l => Assert.Contains("from site site-a", l));
        Assert.Contains(refused, l => l.Contains(Upload) && l.Contains("Failed to deserialize"));
        Assert.Contains(refused, l => l.Contains(Upload) && l.Contains("exceeds the maximum configured message size"));
        Assert.Contains(refused, l => l.Contains(Upload) && l.Contains("Decompressed message larger than max"));
        Assert.Contains(refused, l => l.Contains(Setpoints) && l.Contains("Failed to deserialize"));
        Assert.Equal(4, server.Service<Collector.Ingest.GrpcMessageRefusals>().Total);
    }

    [Fact]
    public async Task A_flood_of_refusals_is_rate_limited_per_caller_and_the_held_back_ones_are_counted()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        using var raw = new RawGrpc(server.GrpcPort);
        for (var i = 0; i < 12; i++) Assert.Equal(13, await raw.CallAsync(Upload, token, RawGrpc.Frame([0xFF])));
        Assert.Equal(Collector.Ingest.GrpcMessageRefusals.LinesPerWindow, logs.Lines.Count(l => l.Contains("Refused a gRPC message", StringComparison.Ordinal)));
        Assert.Equal(12, server.Service<Collector.Ingest.GrpcMessageRefusals>().Total);
    }

    [Fact]
    public async Task Refused_identities_are_logged_but_a_retry_loop_with_a_bad_token_cannot_flood_the_log()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(logs: logs);
        await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        for (var i = 0; i < 12; i++)
        {
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => server.UploadAsync("wrong-token", CollectorServer.Batch(null, "inverter", 1, 1, 1, DateTimeOffset.UtcNow)));
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        }
        Assert.Equal(Collector.Identity.LogRateLimiter.LinesPerWindow, logs.Lines.Count(l => l.Contains("Refused telemetry from 127.0.0.1", StringComparison.Ordinal)));
        Assert.Equal(12 - Collector.Identity.LogRateLimiter.LinesPerWindow, server.Service<Collector.Identity.SiteRefusalLog>().Limiter.HeldBack);
    }
}
