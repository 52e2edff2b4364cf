using System.Collections.Concurrent;
using Nexwatt.Protocols.Grpc.AspNetCore;
using Nexwatt.Protocols.Grpc.Tests.Support;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Grpc.Tests.Interop;

/// <summary>Wire compatibility with an independent implementation: grpcio (C core) both as client and as server.</summary>
public sealed class GrpcioInteropTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Grpcio_client_calls_our_kestrel_server()
    {
        var requestEncodings = new ConcurrentBag<string>();
        await using var server = await GrpcTestServer.StartAsync(app =>
        {
            FakeCollector.Map(app, requestEncodings);
            app.MapGrpcUnimplemented();
        });
        await using var peer = DebianPython.Start(GrpcioPeer.Script, await GrpcioPeer.StubsAsync(), "client", $"127.0.0.1:{server.Address.Port}");
        var code = await peer.WaitForExitAsync(GrpcioPeer.Timeout);
        Assert.True(code == 0, $"the grpcio client failed (exit {code}). Its log:\n{peer.Log}");
        foreach (var scenario in new[] { "unary", "server-streaming", "duplex", "gzip-request", "error-status", "error-after-message", "duplex-error", "deadline", "unimplemented" })
            Assert.Contains("PASS " + scenario, peer.Log, StringComparison.Ordinal);
        Assert.Contains("gzip", requestEncodings); // grpcio really compressed, and we decoded it
    }

    [Fact]
    public async Task Our_client_calls_a_grpcio_server()
    {
        var (peer, port) = await GrpcioPeer.StartServerAsync();
        await using var _ = peer;
        using var http = new HttpClient(GrpcHttpHandlers.CreatePlainText());
        var client = new GrpcClient(http, new Uri($"http://127.0.0.1:{port}"));
        var gzipClient = new GrpcClient(http, new Uri($"http://127.0.0.1:{port}"), new GrpcClientOptions { RequestCompression = GrpcCompression.Gzip });
        try
        {
            // Unary
            var receipt = await client.UnaryAsync(Contract.Acknowledge, new SetpointAck { SetpointId = "sp-1", Result = SetpointAck.Types.Result.Applied }).WaitAsync(Patience);
            Assert.True(receipt.Accepted);

            // Server streaming with metadata both ways (responses gzip-compressed by the server)
            await using (var call = client.ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest { AgentBootId = "25" },
                new GrpcCallOptions { Headers = new GrpcMetadata { { "x-site", "site-7" } }, Deadline = DateTimeOffset.UtcNow.AddSeconds(20) }))
            {
                var keys = new List<string>();
                await foreach (var setpoint in call.ResponseStream.ReadAllAsync()) keys.Add(setpoint.KeyId);
                Assert.Equal(Enumerable.Range(0, 25).Select(i => "k" + i), keys);
                Assert.Equal("site-7", (await call.ResponseHeadersAsync).GetValue("site"));
                Assert.Equal("25", call.Trailers.GetValue("count"));
            }

            // Duplex upload, lock-step acks, gzip requests
            await using (var upload = gzipClient.DuplexStreaming(Contract.Upload))
            {
                for (var i = 0; i < 20; i++)
                {
                    await upload.RequestStream.WriteAsync(Contract.Batch((ulong)i * 50 + 1, readings: 50, textLength: 20));
                    Assert.True(await upload.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
                    Assert.Equal((ulong)i * 50 + 1, upload.ResponseStream.Current.FirstSequence);
                    Assert.Equal(50u, upload.ResponseStream.Current.ReadingsStored);
                }
                await upload.RequestStream.CompleteAsync();
                Assert.False(await upload.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
            }

            // Error status with a percent-encoded unicode message
            var notFound = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync(Contract.Acknowledge, new SetpointAck { SetpointId = "error" }).WaitAsync(Patience));
            Assert.Equal(GrpcStatusCode.NotFound, notFound.StatusCode);
            Assert.Equal("setpoint ünknown: 100% gone", notFound.StatusMessage);

            // Error after a message, in trailers
            await using (var failing = client.ServerStreaming(Contract.StreamSetpoints, new SetpointStreamRequest { AgentBootId = "fail" }))
            {
                Assert.True(await failing.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
                var denied = await Assert.ThrowsAsync<GrpcException>(() => failing.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
                Assert.Equal(GrpcStatusCode.PermissionDenied, denied.StatusCode);
                Assert.Equal("not your site ☹", denied.StatusMessage);
            }

            // Error in the middle of a duplex upload
            await using (var bad = client.DuplexStreaming(Contract.Upload))
            {
                await bad.RequestStream.WriteAsync(Contract.Batch(1));
                Assert.True(await bad.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
                var wrong = Contract.Batch(3);
                wrong.SiteId = "bad";
                await bad.RequestStream.WriteAsync(wrong);
                var invalid = await Assert.ThrowsAsync<GrpcException>(() => bad.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
                Assert.Equal(GrpcStatusCode.InvalidArgument, invalid.StatusCode);
            }

            // Deadline
            var slow = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync(Contract.Acknowledge, new SetpointAck { SetpointId = "slow" },
                new GrpcCallOptions { Deadline = DateTimeOffset.UtcNow.AddMilliseconds(400) }).WaitAsync(Patience));
            Assert.Equal(GrpcStatusCode.DeadlineExceeded, slow.StatusCode);

            // A method grpcio does not serve: grpc-status 12 from the peer
            var missing = new GrpcMethod<SetpointAck, SetpointAckReceipt>(GrpcMethodType.Unary, "nexwatt.v1.SiteDispatch", "Nope",
                ProtobufGrpc.Marshaller<SetpointAck>(), ProtobufGrpc.Marshaller<SetpointAckReceipt>());
            var unimplemented = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync(missing, new SetpointAck()).WaitAsync(Patience));
            Assert.Equal(GrpcStatusCode.Unimplemented, unimplemented.StatusCode);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex}\n--- grpcio server log:\n{peer.Log}");
        }
    }
}

/// <summary>A tiny fake of the collector's services on our server glue, for the grpcio client (mirrors peers/grpc_peer.py's server).</summary>
internal static class FakeCollector
{
    public static void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app, ConcurrentBag<string> requestEncodings)
    {
        app.MapGrpcUnary(Contract.Acknowledge, async (ack, context) =>
        {
            if (ack.SetpointId == "error") throw new GrpcException(GrpcStatusCode.NotFound, "setpoint ünknown: 100% gone");
            if (ack.SetpointId == "slow") await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new SetpointAckReceipt { Accepted = ack.Result == SetpointAck.Types.Result.Applied };
        });
        app.MapGrpcServerStreaming(Contract.StreamSetpoints, async (request, stream, context) =>
        {
            context.ResponseHeaders.Add("site", context.RequestHeaders.GetValue("x-site") ?? "?");
            if (request.AgentBootId == "fail")
            {
                await stream.WriteAsync(new SignedSetpoint { KeyId = "k0" });
                throw new GrpcException(GrpcStatusCode.PermissionDenied, "not your site ☹");
            }
            var count = int.Parse(request.AgentBootId, System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < count; i++)
                await stream.WriteAsync(new SignedSetpoint { KeyId = "k" + i, Setpoint = Google.Protobuf.ByteString.CopyFrom(Enumerable.Repeat((byte)(i % 256), i).ToArray()) });
            context.ResponseTrailers.Add("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, context) =>
        {
            requestEncodings.Add(context.HttpContext.Request.Headers["grpc-encoding"].ToString());
            await foreach (var batch in batches)
            {
                if (batch.SiteId == "bad") throw new GrpcException(GrpcStatusCode.InvalidArgument, "batch for another site");
                await acks.WriteAsync(Contract.AckFor(batch));
            }
        });
    }
}
