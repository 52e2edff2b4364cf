using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Features;
using Nexwatt.Protocols.Grpc.AspNetCore;
using Nexwatt.Protocols.Grpc.Tests.Support;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Grpc.Tests.Server;

/// <summary>Deadlines, cancellation, compression and size limits between our client and our server glue.</summary>
public sealed class KestrelLifetimeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Client_deadline_fails_the_call_locally_and_cancels_the_handler()
    {
        var handlerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerCanceled = new TaskCompletionSource<DateTimeOffset?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The server's clock never moves: only the client's timer can end this call.
        var options = new GrpcServerOptions { TimeProvider = new FakeTimeProvider() };
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (_, _, context) =>
        {
            handlerStarted.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, context.CancellationToken); }
            catch (OperationCanceledException) { handlerCanceled.TrySetResult(context.Deadline); throw; }
        }), options);
        // The client's clock moves only when the test says so: the deadline expires once the handler runs, however
        // slowly a loaded machine starts it (a wall-clock deadline could expire before the request left, and then no
        // handler would ever see a cancellation).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var client = server.CreateClient(new GrpcClientOptions { TimeProvider = clock });
        await using var call = client.ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest(),
            new GrpcCallOptions { Deadline = clock.GetUtcNow().AddMilliseconds(300) });
        var next = call.ResponseStream.MoveNextAsync().AsTask();
        await handlerStarted.Task.WaitAsync(Patience);
        clock.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<GrpcException>(() => next.WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.NotNull(await handlerCanceled.Task.WaitAsync(Patience)); // RST_STREAM reached the handler; it saw a deadline
    }

    [Fact]
    public async Task Server_enforces_grpc_timeout_and_answers_deadline_exceeded()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary(Contract.Acknowledge, async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new SetpointAckReceipt();
        }));
        // The client's clock never moves, so its local timer never fires: the status must come from the server.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var client = server.CreateClient(new GrpcClientOptions { TimeProvider = clock });
        var ex = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync(Contract.Acknowledge, new SetpointAck(),
            new GrpcCallOptions { Deadline = clock.GetUtcNow().AddMilliseconds(250) }).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal("Deadline exceeded.", ex.StatusMessage);
    }

    [Fact]
    public async Task Deadline_already_passed_fails_without_sending()
    {
        var calls = 0;
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary(Contract.Acknowledge, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(new SetpointAckReceipt());
        }));
        var ex = await Assert.ThrowsAsync<GrpcException>(() => server.CreateClient().UnaryAsync(Contract.Acknowledge, new SetpointAck(),
            new GrpcCallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(-1) }));
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Caller_cancellation_is_operation_canceled_and_resets_the_stream()
    {
        var handlerCanceled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (_, stream, context) =>
        {
            await stream.WriteAsync(new SignedSetpoint { KeyId = "first" });
            try { await Task.Delay(Timeout.Infinite, context.CancellationToken); }
            catch (OperationCanceledException) { handlerCanceled.TrySetResult(); throw; }
        }));
        using var cts = new CancellationTokenSource();
        await using var call = server.CreateClient().ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest(), cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        var pending = call.ResponseStream.MoveNextAsync().AsTask();
        cts.Cancel();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
        Assert.Equal(cts.Token, ex.CancellationToken);
        await handlerCanceled.Task.WaitAsync(Patience);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Disposing_an_unfinished_duplex_call_cancels_the_server_side()
    {
        var handlerCanceled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, context) =>
        {
            try { await foreach (var batch in batches) await acks.WriteAsync(Contract.AckFor(batch)); }
            catch (Exception ex) { handlerCanceled.TrySetResult($"{ex.GetType().Name}, token canceled: {context.CancellationToken.IsCancellationRequested}"); throw; }
            handlerCanceled.TrySetResult("completed normally");
        }));
        var call = server.CreateClient().DuplexStreaming(Contract.Upload);
        await call.RequestStream.WriteAsync(Contract.Batch(1));
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        await call.DisposeAsync();
        // The handler sees the reset as a cancellation of its call, whatever Kestrel's body reader threw.
        Assert.Equal("OperationCanceledException, token canceled: True", await handlerCanceled.Task.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<Exception>(() => call.RequestStream.WriteAsync(Contract.Batch(2)).AsTask());
    }

    [Fact]
    public async Task Server_reset_is_cancelled_on_the_client()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (_, stream, context) =>
        {
            await stream.WriteAsync(new SignedSetpoint { KeyId = "first" });
            context.HttpContext.Features.Get<IHttpResetFeature>()!.Reset(8); // RST_STREAM CANCEL
        }));
        await using var call = server.CreateClient().ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest());
        var ex = await Assert.ThrowsAsync<GrpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience)) { }
        });
        Assert.Equal(GrpcStatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Server_error_mid_duplex_reaches_the_reader_even_while_the_client_writes()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, _) =>
        {
            await foreach (var batch in batches)
            {
                if (batch.SiteId != "site-1") throw new GrpcException(GrpcStatusCode.PermissionDenied, "batch for another site");
                await acks.WriteAsync(Contract.AckFor(batch));
            }
        }));
        await using var call = server.CreateClient().DuplexStreaming(Contract.Upload);
        await call.RequestStream.WriteAsync(Contract.Batch(1));
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        var wrong = Contract.Batch(3);
        wrong.SiteId = "site-2";
        await call.RequestStream.WriteAsync(wrong);
        var ex = await Assert.ThrowsAsync<GrpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("batch for another site", ex.StatusMessage);
    }

    [Fact]
    public async Task Gzip_both_ways()
    {
        string? requestEncoding = null;
        var options = new GrpcServerOptions { ResponseCompression = GrpcCompression.Gzip };
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, context) =>
        {
            requestEncoding = context.HttpContext.Request.Headers["grpc-encoding"];
            await foreach (var batch in batches) await acks.WriteAsync(new UploadAck { FirstSequence = batch.FirstSequence, Message = new string('m', 2000) });
        }), options);
        await using var call = server.CreateClient(new GrpcClientOptions { RequestCompression = GrpcCompression.Gzip }).DuplexStreaming(Contract.Upload);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(Contract.Batch((ulong)i * 100 + 1, readings: 100, textLength: 50));
            Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
            Assert.Equal((ulong)i * 100 + 1, call.ResponseStream.Current.FirstSequence);
            Assert.Equal(2000, call.ResponseStream.Current.Message.Length);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("gzip", requestEncoding);
    }

    [Fact]
    public async Task Wire_check_with_raw_http2_gzip_response_and_415()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary(Contract.Acknowledge,
            (_, _) => Task.FromResult(new SetpointAckReceipt { Accepted = true })), new GrpcServerOptions { ResponseCompression = GrpcCompression.Gzip });
        using var http = new HttpClient(GrpcHttpHandlers.CreatePlainText());
        var uri = new Uri(server.Address, Contract.Acknowledge.Path);

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Content = new ByteArrayContent(Hex.Bytes("00 00000000")); // SetpointAck{} uncompressed
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "gzip");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("gzip", response.Headers.GetValues("grpc-encoding").Single());
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(1, body[0]); // compressed flag
        Assert.Equal(body.Length - 5, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1)));
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());

        using var json = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        json.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var refused = await http.SendAsync(json);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);

        using var deflate = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        deflate.Content = new ByteArrayContent(Hex.Bytes("00 00000000"));
        deflate.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        deflate.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");
        using var unimplemented = await http.SendAsync(deflate);
        Assert.Equal("12", unimplemented.Headers.GetValues("grpc-status").Single()); // Trailers-Only
        Assert.Equal("identity,gzip", unimplemented.Headers.GetValues("grpc-accept-encoding").Single());
    }

    [Fact]
    public async Task Request_size_limit_on_the_server_near_and_over()
    {
        const int limit = 64 * 1024;
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, _) =>
        {
            await foreach (var batch in batches) await acks.WriteAsync(Contract.AckFor(batch));
        }), new GrpcServerOptions { MaxReceiveMessageSize = limit });
        var near = SizedBatch(limit - 10);
        var over = SizedBatch(limit + 10);
        Assert.InRange(near.CalculateSize(), limit - 200, limit);
        Assert.True(over.CalculateSize() > limit);
        await using var call = server.CreateClient().DuplexStreaming(Contract.Upload);
        await call.RequestStream.WriteAsync(near);
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        try { await call.RequestStream.WriteAsync(over); }
        catch (GrpcException) { } // the server may already have ended the stream
        var ex = await Assert.ThrowsAsync<GrpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Size_limits_on_the_client_receive_and_send()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (request, stream, _) =>
            await stream.WriteAsync(new SignedSetpoint { Setpoint = Google.Protobuf.ByteString.CopyFrom(new byte[int.Parse(request.AgentBootId)]) })));
        var client = server.CreateClient(new GrpcClientOptions { MaxReceiveMessageSize = 10_000, MaxSendMessageSize = 50 });
        await using (var fits = client.ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest { AgentBootId = "9990" }))
        {
            Assert.True(await fits.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        }
        await using (var tooBig = client.ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest { AgentBootId = "10000" }))
        {
            var ex = await Assert.ThrowsAsync<GrpcException>(() => tooBig.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
            Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
        }
        await using (var sendTooBig = client.ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest { AgentBootId = new string('1', 60) }))
        {
            var ex = await Assert.ThrowsAsync<GrpcException>(() => sendTooBig.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
            Assert.Equal(GrpcStatusCode.ResourceExhausted, ex.StatusCode);
        }
    }

    private static TelemetryBatch SizedBatch(int size)
    {
        var batch = Contract.Batch(1, readings: 1);
        var overhead = batch.CalculateSize();
        batch.Readings[0].Text = new string('t', size - overhead - 3); // 3 more bytes: the longer length varint
        while (batch.CalculateSize() > size) batch.Readings[0].Text = batch.Readings[0].Text[..^1];
        return batch;
    }
}
