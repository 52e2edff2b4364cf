using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Nexwatt.Collector.Tests.Ingest;
using Grpc.Core;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.Signing;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Dispatch;

/// <summary>What a fake agent received, verified against the collector's published key.</summary>
internal abstract class FakeAgent : IAsyncDisposable
{
    protected Channel<SignedSetpoint> Received { get; } = Channel.CreateUnbounded<SignedSetpoint>();

    /// <summary>The next setpoint received (re-sends included), its signature checked against <paramref name="key"/>.</summary>
    public async Task<(SignedSetpoint Signed, Setpoint Setpoint)> NextAsync(ECDsa key, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var signed = await Received.Reader.ReadAsync(cts.Token);
        Assert.True(SetpointSignature.Verify(signed, key), "the setpoint's signature does not verify with the published key");
        Assert.Equal(SetpointSignature.KeyId(key), signed.KeyId);
        return (signed, Setpoint.Parser.ParseFrom(signed.Setpoint));
    }

    /// <summary>The next setpoint whose id differs from <paramref name="previousId"/> (skipping re-sends of it).</summary>
    public async Task<Setpoint> NextOtherThanAsync(ECDsa key, string previousId, TimeSpan? timeout = null)
    {
        while (true)
        {
            var (_, setpoint) = await NextAsync(key, timeout);
            if (setpoint.SetpointId != previousId) return setpoint;
        }
    }

    public abstract Task AcknowledgeAsync(SetpointAck ack);

    public abstract ValueTask DisposeAsync();

    /// <summary>Every target applied, the measured power equal to the target.</summary>
    public static SetpointAck Applied(Setpoint setpoint)
    {
        var ack = new SetpointAck
        {
            SetpointId = setpoint.SetpointId, SiteId = setpoint.SiteId, DispatchId = setpoint.DispatchId, Result = SetpointAck.Types.Result.Applied,
            Reason = "applied", MeasuredW = setpoint.Targets.Sum(t => t.ActivePowerW), TimeUs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000,
        };
        ack.Targets.AddRange(setpoint.Targets.Select(t => new TargetResult
        {
            DeviceId = t.DeviceId, Result = SetpointAck.Types.Result.Applied, MeasuredW = t.ActivePowerW, CommandedW = t.ActivePowerW,
        }));
        return ack;
    }
}

/// <summary>An agent on the gRPC setpoint stream (a Grpc.Net.Client client on loopback).</summary>
internal sealed class GrpcAgent : FakeAgent
{
    private readonly CollectorServer _server;
    private readonly string _token;
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncServerStreamingCall<SignedSetpoint> _call;
    private readonly Task _reader;

    public GrpcAgent(CollectorServer server, string token)
    {
        _server = server;
        _token = token;
        _call = server.StreamSetpoints(token, _stop.Token);
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var setpoint in _call.ResponseStream.ReadAllAsync(_stop.Token)) await Received.Writer.WriteAsync(setpoint);
            }
            catch (Exception) when (_stop.IsCancellationRequested) { }
        });
    }

    public override async Task AcknowledgeAsync(SetpointAck ack) => Assert.True((await _server.AcknowledgeAsync(_token, ack)).Accepted);

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _call.Dispose();
        await _reader;
        _stop.Dispose();
    }
}

/// <summary>An agent over Mosquitto: subscribed to its setpoints topic, acknowledging on its acks topic.</summary>
internal sealed class MqttAgent : FakeAgent
{
    private readonly MqttClient _client;
    private readonly string _siteId;
    private readonly Task _reader;

    private MqttAgent(MqttClient client, string siteId)
    {
        _client = client;
        _siteId = siteId;
        _reader = Task.Run(async () =>
        {
            await foreach (var message in _client.Messages.ReadAllAsync())
                await Received.Writer.WriteAsync(SignedSetpoint.Parser.ParseFrom(message.Payload.Span));
        });
    }

    public static async Task<MqttAgent> StartAsync(int port, string siteId)
    {
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = siteId + "-agent", CleanStart = true });
        await client.SubscribeAsync($"nexwatt/v1/{siteId}/setpoints", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return new MqttAgent(client, siteId);
    }

    public override async Task AcknowledgeAsync(SetpointAck ack) =>
        await _client.PublishAsync($"nexwatt/v1/{_siteId}/acks", ack.ToByteArray(), MqttQualityOfService.AtLeastOnce);

    /// <summary>Publishes telemetry on the site's own topic, as its agent does.</summary>
    public async Task PublishTelemetryAsync(TelemetryBatch batch) =>
        await _client.PublishAsync($"nexwatt/v1/{_siteId}/telemetry", batch.ToByteArray(), MqttQualityOfService.AtLeastOnce);

    /// <summary>Publishes the site's status as the agent (ONLINE birth) or its will would (OFFLINE death).</summary>
    public async Task PublishStatusAsync(SiteStatus.Types.State state) =>
        await _client.PublishAsync($"nexwatt/v1/{_siteId}/status", new SiteStatus { SiteId = _siteId, State = state }.ToByteArray(),
            MqttQualityOfService.AtLeastOnce, retain: true);

    public override async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        try { await _reader; } catch (ChannelClosedException) { }
    }
}

internal static class DispatchApi
{
    public static async Task<JsonElement> GetAsync(CollectorServer server, string path)
    {
        var response = await server.Api.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> PostAsync(CollectorServer server, object body)
    {
        var response = await server.Api.PostAsJsonAsync("/v1/dispatch", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, json.ToString());
        return json;
    }

    public static async Task<List<JsonElement>> EventsAsync(CollectorServer server, string dispatchId) =>
        (await GetAsync(server, $"/v1/dispatch/{dispatchId}/events")).EnumerateArray().ToList();

    /// <summary>Waits (checking every 100 ms) until the dispatch's log has an event of <paramref name="kind"/> beyond <paramref name="count"/> of them.</summary>
    public static async Task<List<JsonElement>> WaitForEventAsync(CollectorServer server, string dispatchId, string kind, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var events = await EventsAsync(server, dispatchId);
            if (events.Count(e => e.GetProperty("kind").GetString() == kind) >= count) return events;
            if (DateTimeOffset.UtcNow > deadline)
                Assert.Fail($"no {count} '{kind}' event(s) in time; the log: {string.Join("\n", events)}");
            await Task.Delay(100);
        }
    }

    public static ECDsa PublicKey(CollectorServer server) =>
        SetpointSignature.LoadPublicKeyPem(File.ReadAllText(Path.Combine(server.Directory, "dispatch-signing-key.pub.pem")));
}
