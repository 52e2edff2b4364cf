using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

/// <summary>
/// Wire compatibility with an independent implementation, python grpcio (C core), both ways: the agent's channel and
/// the generated clients against a grpcio server, and a grpcio client against services generated from the same
/// protos and served by Grpc.AspNetCore (the collector's own services meet grpcio in the collector's tests).
/// </summary>
public sealed class GrpcioInteropTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_agents_channel_calls_a_grpcio_server()
    {
        var (peer, port) = await GrpcioPeer.StartServerAsync();
        await using var _ = peer;
        using var channel = new GrpcCollectorChannel(new GrpcUplinkOptions { Enabled = true, Address = $"http://127.0.0.1:{port}", SiteToken = "t" }, NullLoggerFactory.Instance);
        var (ingest, dispatch) = await channel.ClientsAsync(CancellationToken.None);
        async Task<CallOptions> Options(DateTimeOffset? deadline = null, params (string Key, string Value)[] headers)
        {
            var options = await channel.CallOptionsAsync(deadline ?? DateTimeOffset.UtcNow.AddSeconds(20), CancellationToken.None);
            foreach (var (key, value) in headers) options.Headers!.Add(key, value);
            return options;
        }
        try
        {
            // Unary
            var receipt = await dispatch.AcknowledgeAsync(new SetpointAck { SetpointId = "sp-1", Result = SetpointAck.Types.Result.Applied }, await Options());
            Assert.True(receipt.Accepted);

            // Server streaming with metadata both ways (responses gzip-compressed by the server)
            using (var call = dispatch.StreamSetpoints(new SetpointStreamRequest { AgentBootId = "25" }, await Options(null, ("x-site", "site-7"))))
            {
                var keys = new List<string>();
                await foreach (var setpoint in call.ResponseStream.ReadAllAsync()) keys.Add(setpoint.KeyId);
                Assert.Equal(Enumerable.Range(0, 25).Select(i => "k" + i), keys);
                Assert.Equal("site-7", (await call.ResponseHeadersAsync).GetValue("site"));
                Assert.Equal("25", call.GetTrailers().GetValue("count"));
            }

            // Duplex upload through the agent's own transport (acks matched to batches in order), gzip requests
            using (var upload = ingest.Upload(await Options(null, ("grpc-internal-encoding-request", "gzip"))))
            {
                await using var transport = new GrpcBatchTransport(upload, CancellationToken.None);
                for (var i = 0; i < 20; i++)
                    await transport.SendAsync(Batch((ulong)i * 50 + 1, readings: 50, textLength: 20), CancellationToken.None).AsTask().WaitAsync(Patience);
                await upload.RequestStream.CompleteAsync();
            }

            // Error status with a percent-encoded unicode message
            var notFound = await Assert.ThrowsAsync<RpcException>(async () => await dispatch.AcknowledgeAsync(new SetpointAck { SetpointId = "error" }, await Options()));
            Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
            Assert.Equal("setpoint ünknown: 100% gone", notFound.Status.Detail);
            Assert.False(GrpcRetry.IsTransient(notFound.StatusCode));

            // Error after a message, in trailers
            using (var failing = dispatch.StreamSetpoints(new SetpointStreamRequest { AgentBootId = "fail" }, await Options()))
            {
                Assert.True(await failing.ResponseStream.MoveNext().WaitAsync(Patience));
                var denied = await Assert.ThrowsAsync<RpcException>(() => failing.ResponseStream.MoveNext().WaitAsync(Patience));
                Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
                Assert.Equal("not your site ☹", denied.Status.Detail);
            }

            // Error in the middle of a duplex upload: the pending send fails with the peer's status
            using (var bad = ingest.Upload(await Options()))
            {
                await using var transport = new GrpcBatchTransport(bad, CancellationToken.None);
                await transport.SendAsync(Batch(1), CancellationToken.None);
                var wrong = Batch(3);
                wrong.SiteId = "bad";
                var invalid = await Assert.ThrowsAsync<RpcException>(() => transport.SendAsync(wrong, CancellationToken.None).AsTask().WaitAsync(Patience));
                Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
            }

            // Deadline: every call of the agent carries one, and it is honoured against grpcio
            var slow = await Assert.ThrowsAsync<RpcException>(async () =>
                await dispatch.AcknowledgeAsync(new SetpointAck { SetpointId = "slow" }, await Options(DateTimeOffset.UtcNow.AddMilliseconds(400))));
            Assert.Equal(StatusCode.DeadlineExceeded, slow.StatusCode);
            Assert.True(GrpcRetry.IsTransient(slow.StatusCode));
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex}\n--- grpcio server log:\n{peer.Log}");
        }
    }

    [Fact]
    public async Task A_grpcio_client_calls_the_generated_services_on_kestrel()
    {
        var requestEncodings = new ConcurrentBag<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(requestEncodings);
        await using var app = builder.Build();
        app.MapGrpcService<FakeDispatch>();
        app.MapGrpcService<FakeIngest>();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        await using var peer = DebianPython.Start(GrpcioPeer.Script, await GrpcioPeer.StubsAsync(), "client", $"127.0.0.1:{address.Port}");
        var code = await peer.WaitForExitAsync(GrpcioPeer.Timeout);
        Assert.True(code == 0, $"the grpcio client failed (exit {code}). Its log:\n{peer.Log}");
        foreach (var scenario in new[] { "unary", "server-streaming", "duplex", "gzip-request", "error-status", "error-after-message", "duplex-error", "deadline", "unimplemented" })
            Assert.Contains("PASS " + scenario, peer.Log, StringComparison.Ordinal);
        Assert.Contains("gzip", requestEncodings); // grpcio really compressed, and it was decoded
    }

    private static TelemetryBatch Batch(ulong first, int readings = 2, int textLength = 0) => new()
    {
        SiteId = "site-1",
        AgentBootId = "boot-1",
        FirstSequence = first,
        LastSequence = first + (ulong)Math.Max(readings - 1, 0),
        Readings =
        {
            Enumerable.Range(0, readings).Select(i => new Reading
            {
                Sequence = first + (ulong)i, DeviceId = "inv-1", ModelId = 103, Point = "W", Value = 1000 + i, Unit = "W",
                Quality = Quality.Good, Text = new string('x', textLength),
            }),
        },
    };

    /// <summary>A fake of the collector's SiteDispatch for the grpcio client (mirrors peers/grpc_peer.py's server).</summary>
    private sealed class FakeDispatch : SiteDispatch.SiteDispatchBase
    {
        public override async Task<SetpointAckReceipt> Acknowledge(SetpointAck request, ServerCallContext context)
        {
            if (request.SetpointId == "error") throw new RpcException(new Status(StatusCode.NotFound, "setpoint ünknown: 100% gone"));
            if (request.SetpointId == "slow") await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new SetpointAckReceipt { Accepted = request.Result == SetpointAck.Types.Result.Applied };
        }

        public override async Task StreamSetpoints(SetpointStreamRequest request, IServerStreamWriter<SignedSetpoint> responseStream, ServerCallContext context)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "site", context.RequestHeaders.GetValue("x-site") ?? "?" } });
            if (request.AgentBootId == "fail")
            {
                await responseStream.WriteAsync(new SignedSetpoint { KeyId = "k0" });
                throw new RpcException(new Status(StatusCode.PermissionDenied, "not your site ☹"));
            }
            var count = int.Parse(request.AgentBootId, System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < count; i++)
                await responseStream.WriteAsync(new SignedSetpoint { KeyId = "k" + i, Setpoint = Google.Protobuf.ByteString.CopyFrom(Enumerable.Repeat((byte)(i % 256), i).ToArray()) });
            context.ResponseTrailers.Add("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A fake of the collector's TelemetryIngest: one ack per batch, in order.</summary>
    private sealed class FakeIngest(ConcurrentBag<string> requestEncodings) : TelemetryIngest.TelemetryIngestBase
    {
        public override async Task Upload(IAsyncStreamReader<TelemetryBatch> requestStream, IServerStreamWriter<UploadAck> responseStream, ServerCallContext context)
        {
            requestEncodings.Add(context.GetHttpContext().Request.Headers["grpc-encoding"].ToString());
            await foreach (var batch in requestStream.ReadAllAsync())
            {
                if (batch.SiteId == "bad") throw new RpcException(new Status(StatusCode.InvalidArgument, "batch for another site"));
                await responseStream.WriteAsync(new UploadAck
                {
                    FirstSequence = batch.FirstSequence, LastSequence = batch.LastSequence, Status = UploadAck.Types.Status.Stored,
                    ReadingsStored = (uint)batch.Readings.Count,
                });
            }
        }
    }
}
