using System.Diagnostics;
using System.Net.Sockets;
using Nexwatt.Collector.Dispatch;
using Grpc.Core;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>Connections and streams that say nothing are bounded; the setpoint stream, idle by nature, is not cut.</summary>
public sealed class IdleConnectionTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    private static Dictionary<string, string?> Short(int maxSetpointStreams = 4) => new()
    {
        ["Logging:LogLevel:Nexwatt"] = "Information",
        ["Collector:Connections:IdleTimeout"] = "00:00:01",
        ["Collector:Connections:RequestHeadersTimeout"] = "00:00:01",
        ["Collector:Connections:UploadIdleTimeout"] = "00:00:01",
        ["Collector:Connections:KeepAlivePingDelay"] = "00:00:01",
        ["Collector:Connections:KeepAlivePingTimeout"] = "00:00:05",
        ["Collector:Connections:MaxSetpointStreamsPerSite"] = maxSetpointStreams.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tcp_connection_that_sends_nothing_is_closed_within_the_configured_time(bool managementPort)
    {
        await using var server = await CollectorServer.StartAsync(Short());
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, managementPort ? server.ApiPort : server.GrpcPort);
        var watch = Stopwatch.StartNew();
        var buffer = new byte[1024];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Kestrel may say goodbye (an HTTP/2 GOAWAY) before it closes; the end of the stream is what counts.
        try { while (await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token) > 0) { } }
        catch (SocketException) { /* reset: closed all the same */ }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"closed only after {watch.Elapsed}");
    }

    [Fact]
    public async Task An_authenticated_upload_stream_that_sends_nothing_is_ended_with_Unavailable()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(Short(), logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        using var call = server.Ingest.Upload(CollectorServer.Token(token));
        // One batch first: the timeout counts from the last batch, not from the start of the call.
        await call.RequestStream.WriteAsync(CollectorServer.Batch(null, "inverter", 1, 2, 100, DateTimeOffset.UtcNow));
        var watch = Stopwatch.StartNew();
        var acks = new List<UploadAck>();
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token)) acks.Add(ack);
        });
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Single(acks);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"ended only after {watch.Elapsed}");
        await logs.WaitForAsync("Site site-a: upload stream closed after 00:00:01 without a batch", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_setpoint_stream_idle_for_longer_than_every_timeout_stays_open_and_still_receives_a_setpoint()
    {
        await using var server = await CollectorServer.StartAsync(Short());
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = server.StreamSetpoints(token, cts.Token);
        var reader = stream.ResponseStream.ReadAllAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var first = reader.MoveNextAsync().AsTask();
        // Open once the collector counts it; then silent for four times the idle, header and upload timeouts.
        while (server.Service<SiteActivity>().IsOnline("site-a", null, TimeSpan.Zero) is false) await Task.Delay(20, cts.Token);
        await Task.Delay(4 * Idle, cts.Token);
        Assert.False(first.IsCompleted, "the setpoint stream ended while idle");

        Assert.Equal(1, server.Service<SetpointHub>().Publish("site-a", new SignedSetpoint { Setpoint = Google.Protobuf.ByteString.CopyFromUtf8("test"), KeyId = "k" }));
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("test", reader.Current.Setpoint.ToStringUtf8());
    }

    [Fact]
    public async Task A_site_holds_at_most_the_configured_number_of_setpoint_streams()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(Short(maxSetpointStreams: 1), logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-a", "pv-a", "inverter");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var held = server.StreamSetpoints(token, cts.Token);
        var heldReader = held.ResponseStream.ReadAllAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var heldNext = heldReader.MoveNextAsync().AsTask();
        while (server.Service<SiteActivity>().IsOnline("site-a", null, TimeSpan.Zero) is false) await Task.Delay(20, cts.Token);

        using var extra = server.StreamSetpoints(token, cts.Token);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in extra.ResponseStream.ReadAllAsync(cts.Token)) { } });
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        await logs.WaitForAsync("Site site-a: refused one more setpoint stream, 1 already open", TimeSpan.FromSeconds(5));
        Assert.False(heldNext.IsCompleted);
    }
}
