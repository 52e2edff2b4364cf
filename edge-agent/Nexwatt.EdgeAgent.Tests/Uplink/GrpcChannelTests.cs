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
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.EdgeAgent.Tests.Dispatch;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

/// <summary>The agent's gRPC calls: one channel for the upload and the setpoint stream, deadlines, retries by status.</summary>
public sealed class GrpcChannelTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Upload_setpoint_stream_and_acks_share_one_connection_and_every_call_but_the_stream_has_a_deadline()
    {
        using var factory = new SetpointFactory(DateTimeOffset.UtcNow);
        var calls = new ConcurrentQueue<(string Method, string Connection, DateTime Deadline, DateTime At)>();
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fake = new FakeCollector(calls, factory.Sign(factory.Setpoint("sp-1", targets: [Watts("b1", 1000)])), delivered, acknowledged);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake);
        await using var app = builder.Build();
        app.MapGrpcService<FakeCollector>();
        app.MapGrpcService<FakeCollector.Dispatch>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var agent = new AgentOptions { SiteId = "site-1" };
        agent.Uplink.Grpc = new GrpcUplinkOptions { Enabled = true, Address = address, SiteToken = "secret-token", UploadCallLifetime = TimeSpan.FromMinutes(3) };
        var identity = new AgentIdentity("site-1", "boot-1", "0.0.0");
        var devices = new FakeSiteDevices();
        devices.States["b1"] = FakeSiteDevices.Battery("b1");
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, NullLogger.Instance);
        await buffer.AppendAsync("inverter", TempFolder.Readings(10), CancellationToken.None);

        using var channel = new GrpcCollectorChannel(agent.Uplink.Grpc, NullLoggerFactory.Instance);
        using var dispatcher = new SetpointDispatcher(Options.Create(agent), factory.Pinned(), devices, identity, TimeProvider.System, NullLogger<SetpointDispatcher>.Instance);
        using var setpoints = new GrpcSetpointService(Options.Create(agent), identity, dispatcher, channel, TimeProvider.System, NullLogger<GrpcSetpointService>.Instance);
        using var uplink = new GrpcUplinkService(Options.Create(agent), identity, buffer, channel, TimeProvider.System, NullLoggerFactory.Instance);
        await dispatcher.StartAsync(CancellationToken.None);
        await setpoints.StartAsync(CancellationToken.None);
        await uplink.StartAsync(CancellationToken.None);
        try
        {
            await Task.WhenAll(delivered.Task, acknowledged.Task).WaitAsync(Patience);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
            await setpoints.StopAsync(CancellationToken.None);
            await dispatcher.StopAsync(CancellationToken.None);
        }

        var seen = calls.ToArray();
        Assert.Contains(seen, c => c.Method == "Upload");
        Assert.Contains(seen, c => c.Method == "StreamSetpoints");
        Assert.Contains(seen, c => c.Method == "Acknowledge");
        // One channel, one HTTP/2 connection for all of them.
        Assert.Single(seen.Select(c => c.Connection).Distinct());
        Assert.All(seen.Where(c => c.Method == "Upload"), c => Assert.InRange(c.Deadline - c.At, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)));
        Assert.All(seen.Where(c => c.Method == "Acknowledge"), c => Assert.InRange(c.Deadline - c.At, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        Assert.All(seen.Where(c => c.Method == "StreamSetpoints"), c => Assert.Equal(DateTime.MaxValue, c.Deadline));
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.ResourceExhausted, true)]
    [InlineData(StatusCode.Aborted, true)]
    [InlineData(StatusCode.Internal, true)]
    [InlineData(StatusCode.Unauthenticated, false)]
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.InvalidArgument, false)]
    [InlineData(StatusCode.Unimplemented, false)]
    [InlineData(StatusCode.FailedPrecondition, false)]
    public void A_status_is_retried_with_backoff_when_transient_and_after_the_refusal_delay_when_not(StatusCode status, bool transient)
    {
        Assert.Equal(transient, GrpcRetry.IsTransient(status));
        var jitter = new Random(7);
        for (var failures = 1; failures <= 10; failures++)
        {
            var delay = GrpcRetry.Delay(status, failures, jitter);
            if (!transient)
            {
                Assert.Equal(GrpcRetry.RefusedDelay, delay);
                continue;
            }
            // The shared reconnect backoff: 1, 2, 4 ... 32 s, half of each step fixed and half random.
            var nominal = Math.Pow(2, Math.Min(failures, 6) - 1);
            Assert.InRange(delay.TotalSeconds, 0.5 * nominal, nominal);
        }
    }

    /// <summary>A collector that acks every batch and streams one setpoint, noting each call's connection and deadline.</summary>
    private sealed class FakeCollector(
        ConcurrentQueue<(string Method, string Connection, DateTime Deadline, DateTime At)> calls,
        SignedSetpoint setpoint,
        TaskCompletionSource delivered,
        TaskCompletionSource acknowledged) : TelemetryIngest.TelemetryIngestBase
    {
        public SignedSetpoint Setpoint { get; } = setpoint;

        public TaskCompletionSource Acknowledged { get; } = acknowledged;

        public void Note(string method, ServerCallContext context) =>
            calls.Enqueue((method, context.GetHttpContext().Connection.Id, context.Deadline, DateTime.UtcNow));

        public override async Task Upload(IAsyncStreamReader<TelemetryBatch> requestStream, IServerStreamWriter<UploadAck> responseStream, ServerCallContext context)
        {
            Note("Upload", context);
            await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new UploadAck
                {
                    FirstSequence = batch.FirstSequence, LastSequence = batch.LastSequence, Status = UploadAck.Types.Status.Stored,
                    ReadingsStored = (uint)batch.Readings.Count,
                });
                if (batch.Readings.Count > 0) delivered.TrySetResult();
            }
        }

        public sealed class Dispatch(FakeCollector collector) : SiteDispatch.SiteDispatchBase
        {
            public override async Task StreamSetpoints(SetpointStreamRequest request, IServerStreamWriter<SignedSetpoint> responseStream, ServerCallContext context)
            {
                collector.Note("StreamSetpoints", context);
                await responseStream.WriteAsync(collector.Setpoint);
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            public override Task<SetpointAckReceipt> Acknowledge(SetpointAck request, ServerCallContext context)
            {
                collector.Note("Acknowledge", context);
                collector.Acknowledged.TrySetResult();
                return Task.FromResult(new SetpointAckReceipt { Accepted = true });
            }
        }
    }
}
