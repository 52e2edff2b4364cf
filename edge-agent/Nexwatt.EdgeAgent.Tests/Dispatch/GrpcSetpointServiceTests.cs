using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Grpc.Core;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;
using Result = Nexwatt.Protos.V1.SetpointAck.Types.Result;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>The gRPC transport against a fake collector in process (Kestrel on 127.0.0.1:0, h2c).</summary>
public sealed class GrpcSetpointServiceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void An_answer_pushed_out_of_the_full_queue_is_counted_and_logged_never_lost_in_silence()
    {
        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var agent = new AgentOptions { SiteId = "site-1" };
        agent.Uplink.Grpc = new GrpcUplinkOptions { Enabled = true, Address = "http://127.0.0.1:1", SiteToken = "secret-token" };
        var identity = new AgentIdentity("site-1", "boot-1", "0.0.0");
        var dispatcher = new SetpointDispatcher(Options.Create(agent), collector.Pinned(), new FakeSiteDevices(), identity, TimeProvider.System,
            NullLogger<SetpointDispatcher>.Instance);
        using var channel = new GrpcCollectorChannel(agent.Uplink.Grpc, NullLoggerFactory.Instance);
        var log = new CapturingLogger();
        // Not started: nothing drains the queue, as when the collector is unreachable for a long while.
        var service = new GrpcSetpointService(Options.Create(agent), identity, dispatcher, channel, TimeProvider.System, log);
        var until = DateTimeOffset.UtcNow.AddMinutes(5);
        for (var i = 0; i <= GrpcSetpointService.AckQueueCapacity; i++)
            service.QueueAck(new SetpointAck { SetpointId = $"sp-{i}", SiteId = "site-1" }, until);

        Assert.Equal(1, service.AcksPushedOut);
        var line = Assert.Single(log.Lines);
        Assert.Contains("sp-0", line);
    }

    private sealed class CapturingLogger : ILogger<GrpcSetpointService>
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));
    }

    [Fact]
    public async Task Setpoints_arrive_over_the_stream_across_a_reconnect_and_acks_are_retried_until_accepted()
    {
        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var first = collector.Sign(collector.Setpoint("sp-1", targets: [Watts("b1", 1000)]));
        var second = collector.Sign(collector.Setpoint("sp-2", dispatch: "d-2", targets: [Watts("b2", -500)]));
        var streams = 0;
        var tokens = new ConcurrentQueue<string?>();
        var ackCalls = new ConcurrentQueue<SetpointAck>();
        var bothAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var fake = new FakeSiteDispatch(
            async (request, stream, context) =>
            {
                tokens.Enqueue(context.RequestHeaders.GetValue("authorization"));
                // The first call ends after one setpoint (a collector restart); the second stays open.
                if (Interlocked.Increment(ref streams) == 1)
                {
                    await stream.WriteAsync(first);
                    return;
                }
                await stream.WriteAsync(second);
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            },
            (ack, _) =>
            {
                ackCalls.Enqueue(ack);
                // The first answer to each setpoint is refused, so the agent must retry it.
                var accepted = ackCalls.Count(a => a.SetpointId == ack.SetpointId) > 1;
                if (accepted && ackCalls.Select(a => a.SetpointId).Distinct().Count() == 2 && ackCalls.Count >= 4) bothAccepted.TrySetResult();
                return Task.FromResult(new SetpointAckReceipt { Accepted = accepted });
            });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake);
        await using var app = builder.Build();
        app.MapGrpcService<FakeSiteDispatch>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var agent = new AgentOptions { SiteId = "site-1" };
        agent.Uplink.Grpc = new GrpcUplinkOptions { Enabled = true, Address = address, SiteToken = "secret-token" };
        var devices = new FakeSiteDevices();
        devices.States["b1"] = FakeSiteDevices.Battery("b1");
        devices.States["b2"] = FakeSiteDevices.Battery("b2");
        var identity = new AgentIdentity("site-1", "boot-1", "0.0.0");
        var dispatcher = new SetpointDispatcher(Options.Create(agent), collector.Pinned(), devices, identity, TimeProvider.System, NullLogger<SetpointDispatcher>.Instance);
        using var channel = new GrpcCollectorChannel(agent.Uplink.Grpc, NullLoggerFactory.Instance);
        var service = new GrpcSetpointService(Options.Create(agent), identity, dispatcher, channel, TimeProvider.System, NullLogger<GrpcSetpointService>.Instance);
        await dispatcher.StartAsync(CancellationToken.None);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await bothAccepted.Task.WaitAsync(Patience);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            await dispatcher.StopAsync(CancellationToken.None);
        }

        Assert.True(streams >= 2);
        Assert.All(tokens, t => Assert.Equal("Bearer secret-token", t));
        var answers = ackCalls.ToArray();
        Assert.All(answers, a => Assert.Equal(Result.Applied, a.Result));
        Assert.Equal(2, answers.Count(a => a.SetpointId == "sp-1"));
        Assert.Equal(2, answers.Count(a => a.SetpointId == "sp-2"));
        // Stopping the agent restored both held devices.
        Assert.Contains("restore b1", devices.Log);
        Assert.Contains("restore b2", devices.Log);
    }

    /// <summary>A collector's SiteDispatch whose two methods the test writes.</summary>
    private sealed class FakeSiteDispatch(
        Func<SetpointStreamRequest, IServerStreamWriter<SignedSetpoint>, ServerCallContext, Task> stream,
        Func<SetpointAck, ServerCallContext, Task<SetpointAckReceipt>> acknowledge) : SiteDispatch.SiteDispatchBase
    {
        public override Task StreamSetpoints(SetpointStreamRequest request, IServerStreamWriter<SignedSetpoint> responseStream, ServerCallContext context)
            => stream(request, responseStream, context);

        public override Task<SetpointAckReceipt> Acknowledge(SetpointAck request, ServerCallContext context) => acknowledge(request, context);
    }
}
