using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protocols.Grpc;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// The gRPC side of dispatch, where the site has no MQTT broker: one long-lived SiteDispatch/StreamSetpoints call
/// (re-opened with exponential backoff and jitter when it ends), each setpoint handed to the
/// <see cref="SetpointDispatcher"/>, each answer delivered with SiteDispatch/Acknowledge, retried until the collector
/// accepts it or the setpoint it answers has expired.
/// </summary>
internal sealed class GrpcSetpointService(
    IOptions<AgentOptions> agentOptions,
    AgentIdentity identity,
    SetpointDispatcher dispatcher,
    TimeProvider time,
    ILogger<GrpcSetpointService> logger) : BackgroundService
{
    internal static readonly GrpcMethod<SetpointStreamRequest, SignedSetpoint> StreamSetpoints =
        ProtobufGrpc.Method<SetpointStreamRequest, SignedSetpoint>(CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "StreamSetpoints");

    internal static readonly GrpcMethod<SetpointAck, SetpointAckReceipt> Acknowledge =
        ProtobufGrpc.Method<SetpointAck, SetpointAckReceipt>(CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "Acknowledge");

    /// <summary>How long an answer is retried when the setpoint's own expiry cannot be read.</summary>
    private static readonly TimeSpan DefaultAckLifetime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan AckCallTimeout = TimeSpan.FromSeconds(10);
    private const int MaxAcksInFlight = 16;
    private const int MaxRefusals = 5;

    // Bounded, DropOldest: the dispatcher never waits on the collector. A pushed-out answer is repeated when the
    // collector re-sends its setpoint (a duplicate is answered with the earlier ack).
    private readonly Channel<(SetpointAck Ack, DateTimeOffset Until)> _acks = Channel.CreateBounded<(SetpointAck, DateTimeOffset)>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = agentOptions.Value.Uplink.Grpc;
        if (!options.Enabled) return;
        using var channel = await GrpcCollectorChannel.OpenAsync(options, time, stoppingToken).ConfigureAwait(false);
        await Task.WhenAll(ReceiveAsync(channel, stoppingToken), DeliverAcksAsync(channel, stoppingToken)).ConfigureAwait(false);
    }

    private async Task ReceiveAsync(GrpcCollectorChannel channel, CancellationToken stoppingToken)
    {
        var failures = 0;
        var jitter = new Random();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var call = channel.Client.ServerStreaming(StreamSetpoints, new SetpointStreamRequest { AgentBootId = identity.BootId }, channel.CallOptions(), stoppingToken);
                DispatchLog.StreamStarted(logger, channel.Client.Address.GetLeftPart(UriPartial.Authority));
                await foreach (var signed in call.ResponseStream.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    failures = 0;
                    var until = AnswerDeadline(signed);
                    await dispatcher.SubmitAsync(signed.ToByteArray(), ack => _acks.Writer.TryWrite((ack, until)), stoppingToken).ConfigureAwait(false);
                }
                failures = 0;
                throw new GrpcException(GrpcStatusCode.Unavailable, "the collector ended the setpoint stream");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is GrpcException or HttpRequestException or IOException)
            {
                failures++;
                var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6) - 1)) * (0.8 + 0.4 * jitter.NextDouble()));
                DispatchLog.StreamEnded(logger, ex.Message, delay);
                try { await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task DeliverAcksAsync(GrpcCollectorChannel channel, CancellationToken stoppingToken)
    {
        // Each answer is delivered on its own, so one the collector keeps refusing (or one for a setpoint it does not
        // know) never holds up the others; the semaphore bounds how many are in flight.
        using var slots = new SemaphoreSlim(MaxAcksInFlight);
        var inFlight = new List<Task>();
        try
        {
            await foreach (var (ack, until) in _acks.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(DeliverAsync(channel, ack, until, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task DeliverAsync(GrpcCollectorChannel channel, SetpointAck ack, DateTimeOffset until, SemaphoreSlim slot, CancellationToken stoppingToken)
    {
        try
        {
            var refusals = 0;
            for (var attempt = 1; ; attempt++)
            {
                string why;
                try
                {
                    var receipt = await channel.Client.UnaryAsync(Acknowledge, ack, channel.CallOptions(time.GetUtcNow() + AckCallTimeout), stoppingToken).ConfigureAwait(false);
                    if (receipt.Accepted) return;
                    why = "the collector did not accept it";
                    // A refusal repeated this often is the collector's answer (e.g. an answer to a forged setpoint
                    // it never sent), not an outage: stop there rather than retry until expiry.
                    if (++refusals >= MaxRefusals)
                    {
                        DispatchLog.AckDropped(logger, ack.SetpointId, why);
                        return;
                    }
                }
                catch (Exception ex) when (ex is GrpcException or HttpRequestException or IOException)
                {
                    why = ex.Message;
                }
                var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(attempt, 6) - 1)));
                if (time.GetUtcNow() + delay >= until)
                {
                    DispatchLog.AckDropped(logger, ack.SetpointId, $"{why}; the setpoint has expired");
                    return;
                }
                DispatchLog.AckRetry(logger, ack.SetpointId, why, delay);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>
    /// Until when an answer is worth delivering: the setpoint's expiry. Read before (and whatever) the verifier decides:
    /// it only bounds the retries of our own answer, so an unverified value can do no harm.
    /// </summary>
    private DateTimeOffset AnswerDeadline(SignedSetpoint signed)
    {
        var fallback = time.GetUtcNow() + DefaultAckLifetime;
        try
        {
            var expiryUs = Setpoint.Parser.ParseFrom(signed.Setpoint).ExpiryTimeUs;
            var expiry = DateTimeOffset.UnixEpoch.AddTicks(Math.Clamp(expiryUs, 0, 253_402_300_799_000_000L) * 10);
            return expiry > fallback ? fallback : expiry < time.GetUtcNow() ? time.GetUtcNow() + AckCallTimeout : expiry;
        }
        catch (InvalidProtocolBufferException) { return fallback; }
    }
}
