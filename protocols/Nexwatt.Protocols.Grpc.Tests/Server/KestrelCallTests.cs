using Nexwatt.Protocols.Grpc.AspNetCore;
using Nexwatt.Protocols.Grpc.Tests.Support;
using Nexwatt.Protos.V1;

namespace Nexwatt.Protocols.Grpc.Tests.Server;

/// <summary>Our client against our server glue on in-process Kestrel (HTTP/2 on 127.0.0.1:0): the four call shapes, statuses, metadata.</summary>
public sealed class KestrelCallTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Unary_round_trip()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary(Contract.Acknowledge,
            (ack, _) => Task.FromResult(new SetpointAckReceipt { Accepted = ack.Result == SetpointAck.Types.Result.Applied })));
        var client = server.CreateClient();
        var receipt = await client.UnaryAsync(Contract.Acknowledge, new SetpointAck { SetpointId = "sp-1", Result = SetpointAck.Types.Result.Applied }).WaitAsync(Patience);
        Assert.True(receipt.Accepted);
        var refused = await client.UnaryAsync(Contract.Acknowledge, new SetpointAck { SetpointId = "sp-2" }).WaitAsync(Patience);
        Assert.False(refused.Accepted); // the default message: zero bytes on the wire, still one message
    }

    [Fact]
    public async Task Error_status_and_unicode_message_reach_the_client_with_trailers()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary(Contract.Acknowledge, (_, context) =>
        {
            var trailers = new GrpcMetadata { { "retry-hint", "later" } };
            throw new GrpcException(GrpcStatusCode.InvalidArgument, "setpoint ünknown: 100% wrong\nline two", trailers);
#pragma warning disable CS0162 // the lambda needs a return type
            return Task.FromResult(new SetpointAckReceipt());
#pragma warning restore CS0162
        }));
        var ex = await Assert.ThrowsAsync<GrpcException>(() => server.CreateClient().UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("setpoint ünknown: 100% wrong\nline two", ex.StatusMessage);
        Assert.Equal("later", ex.Trailers.GetValue("retry-hint")); // Trailers-Only: custom metadata with the status
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task Handler_exception_is_unknown_without_the_stack_trace_and_is_logged()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary<SetpointAck, SetpointAckReceipt>(Contract.Acknowledge,
            (_, _) => throw new InvalidOperationException("secret database password in here")));
        var ex = await Assert.ThrowsAsync<GrpcException>(() => server.CreateClient().UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.Unknown, ex.StatusCode);
        Assert.Equal("Exception was thrown by handler.", ex.StatusMessage);
        Assert.Contains(server.Logs.Entries, e => e.EventId == 2540 && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task SetStatus_without_throwing_ends_the_call_with_that_status()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (_, stream, context) =>
        {
            await stream.WriteAsync(new SignedSetpoint { KeyId = "k1" });
            context.SetStatus(GrpcStatusCode.FailedPrecondition, "site paused");
        }));
        await using var call = server.CreateClient().ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest());
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("k1", call.ResponseStream.Current.KeyId);
        var ex = await Assert.ThrowsAsync<GrpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.FailedPrecondition, ex.StatusCode); // status in trailers after a message
        Assert.Equal("site paused", ex.StatusMessage);
    }

    [Fact]
    public async Task Server_streaming_many_messages_with_metadata_both_ways()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (request, stream, context) =>
        {
            context.ResponseHeaders.Add("site", context.RequestHeaders.GetValue("x-site") ?? "?");
            for (var i = 0; i < 300; i++)
                await stream.WriteAsync(new SignedSetpoint { KeyId = request.AgentBootId + "-" + i, Setpoint = Google.Protobuf.ByteString.CopyFrom(new byte[i]) });
            context.ResponseTrailers.Add("count", "300");
            context.ResponseTrailers.AddBinary("digest-bin", [0xDE, 0xAD]);
        }));
        var headers = new GrpcMetadata { { "x-site", "site-9" }, { "authorization", "Bearer t0k3n" } };
        await using var call = server.CreateClient().ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest { AgentBootId = "b" }, new GrpcCallOptions { Headers = headers });
        var received = new List<SignedSetpoint>();
        await foreach (var setpoint in call.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(Patience).Token)) received.Add(setpoint);
        Assert.Equal(300, received.Count);
        Assert.Equal("b-299", received[^1].KeyId);
        Assert.Equal(299, received[^1].Setpoint.Length);
        Assert.Equal("site-9", (await call.ResponseHeadersAsync).GetValue("site"));
        Assert.Equal("300", call.Trailers.GetValue("count"));
        Assert.Equal(new byte[] { 0xDE, 0xAD }, call.Trailers.GetBinary("digest-bin"));
    }

    [Fact]
    public async Task Server_streaming_with_no_messages_is_an_empty_ok_stream()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, (_, _, _) => Task.CompletedTask));
        await using var call = server.CreateClient().ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest());
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task Duplex_upload_gets_one_ack_per_batch_while_both_streams_are_open()
    {
        var served = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, context) =>
        {
            var n = 0;
            await foreach (var batch in batches)
            {
                await acks.WriteAsync(Contract.AckFor(batch));
                n++;
            }
            served.TrySetResult(n);
        }));
        await using var call = server.CreateClient().DuplexStreaming(Contract.Upload);
        const int batches = 500;
        for (var i = 0; i < batches; i++)
        {
            // Lock-step: the ack for batch i arrives before batch i+1 is sent, so this only passes on a true duplex stream.
            var batch = Contract.Batch((ulong)(i * 10 + 1), readings: 10);
            await call.RequestStream.WriteAsync(batch).AsTask().WaitAsync(Patience);
            Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
            Assert.Equal(batch.FirstSequence, call.ResponseStream.Current.FirstSequence);
            Assert.Equal(10u, call.ResponseStream.Current.ReadingsStored);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(batches, await served.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Duplex_pipelined_writes_then_read_all()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, _) =>
        {
            await foreach (var batch in batches) await acks.WriteAsync(Contract.AckFor(batch));
        }));
        await using var call = server.CreateClient().DuplexStreaming(Contract.Upload);
        var reader = Task.Run(async () =>
        {
            var acks = new List<UploadAck>();
            await foreach (var ack in call.ResponseStream.ReadAllAsync()) acks.Add(ack);
            return acks;
        });
        for (var i = 0; i < 1000; i++) await call.RequestStream.WriteAsync(Contract.Batch((ulong)i * 2 + 1)).AsTask().WaitAsync(Patience);
        await call.RequestStream.CompleteAsync();
        var all = await reader.WaitAsync(Patience);
        Assert.Equal(1000, all.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (ulong)i * 2 + 1), all.Select(a => a.FirstSequence));
    }

    [Fact]
    public async Task Client_streaming_returns_one_response_after_the_requests_end()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcClientStreaming(Contract.UploadAll, async (batches, _) =>
        {
            uint readings = 0;
            ulong last = 0;
            await foreach (var batch in batches)
            {
                readings += (uint)batch.Readings.Count;
                last = batch.LastSequence;
            }
            return new UploadAck { ReadingsStored = readings, LastSequence = last, Status = UploadAck.Types.Status.Stored };
        }));
        await using var call = server.CreateClient().ClientStreaming(Contract.UploadAll);
        for (var i = 0; i < 100; i++) await call.RequestStream.WriteAsync(Contract.Batch((ulong)i * 3 + 1, readings: 3));
        await call.RequestStream.CompleteAsync();
        var ack = await call.ResponseAsync.WaitAsync(Patience);
        Assert.Equal(300u, ack.ReadingsStored);
        Assert.Equal(300ul, ack.LastSequence);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        await using var server = await GrpcTestServer.StartAsync(_ => { });
        var ex = await Assert.ThrowsAsync<GrpcException>(() => server.CreateClient().UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.Unimplemented, ex.StatusCode); // HTTP 404 mapped
        await using var fallback = await GrpcTestServer.StartAsync(app => app.MapGrpcUnimplemented());
        var ex2 = await Assert.ThrowsAsync<GrpcException>(() => fallback.CreateClient().UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.Unimplemented, ex2.StatusCode); // grpc-status 12, Trailers-Only
        Assert.Contains("/nexwatt.v1.SiteDispatch/Acknowledge", ex2.StatusMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_is_unavailable_and_transient()
    {
        var port = FreePort();
        var client = new GrpcClient(new HttpClient(GrpcHttpHandlers.CreatePlainText()), new Uri($"http://127.0.0.1:{port}"));
        var ex = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.Unavailable, ex.StatusCode);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task Mapping_checks_the_method_shape()
    {
        await using var server = await GrpcTestServer.StartAsync(app =>
            Assert.Throws<ArgumentException>(() => app.MapGrpcUnary(Contract.Upload, (b, _) => Task.FromResult(new UploadAck()))));
        var client = server.CreateClient();
        Assert.Throws<ArgumentException>(() => client.DuplexStreaming(Contract.StreamSetpoints));
    }

    internal static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
