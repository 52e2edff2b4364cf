using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// The gRPC side of dispatch, where the site has no MQTT broker: one long-lived SiteDispatch/StreamSetpoints call on
/// the channel shared with the uplink (no deadline: it stays open, and the channel's keep-alive pings notice a dead
/// path; re-opened when it ends, as <see cref="GrpcRetry"/> decides by its status), each setpoint handed to the
/// <see cref="SetpointDispatcher"/>, each answer delivered with SiteDispatch/Acknowledge (deadline 10 s), retried until
/// the collector accepts it or the setpoint it answers has expired.
/// </summary>
internal sealed class GrpcSetpointService(
    IOptions<AgentOptions> agentOptions,
    AgentIdentity identity,
    SetpointDispatcher dispatcher,
    GrpcCollectorChannel channel,
    TimeProvider time,
    ILogger<GrpcSetpointService> logger) : BackgroundService
{
    /// <summary>How long an answer is retried when the setpoint's own expiry cannot be read.</summary>
    private static readonly TimeSpan DefaultAckLifetime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan AckCallTimeout = TimeSpan.FromSeconds(10);
    private const int MaxAcksInFlight = 16;
    private const int MaxRefusals = 5;

    internal const int AckQueueCapacity = 256;

    // Bounded, DropOldest: the dispatcher never waits on the collector. A pushed-out answer is counted and logged, and
    // repeated when the collector re-sends its setpoint (a duplicate is answered with the earlier ack).
    private readonly (Channel<(SetpointAck Ack, DateTimeOffset Until)> Queue, StrongBox<long> PushedOut) _acks = NewAckQueue(logger);

    /// <summary>Answers pushed out of the full queue before they could be sent (each logged).</summary>
    internal long AcksPushedOut => Interlocked.Read(ref _acks.PushedOut.Value);

    /// <summary>Queues an answer for delivery; never waits (the oldest queued answer gives way when full).</summary>
    internal void QueueAck(SetpointAck ack, DateTimeOffset until) => _acks.Queue.Writer.TryWrite((ack, until));

    private static (Channel<(SetpointAck Ack, DateTimeOffset Until)>, StrongBox<long>) NewAckQueue(ILogger logger)
    {
        var pushedOut = new StrongBox<long>();
        var queue = Channel.CreateBounded<(SetpointAck Ack, DateTimeOffset Until)>(
            new BoundedChannelOptions(AckQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                Interlocked.Increment(ref pushedOut.Value);
                DispatchLog.AckDropped(logger, dropped.Ack.SetpointId,
                    $"{AckQueueCapacity} answers were waiting for the collector; it gets this one again when it re-sends the setpoint");
            });
        return (queue, pushedOut);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = agentOptions.Value.Uplink.Grpc;
        if (!options.Enabled) return;
        await Task.WhenAll(ReceiveAsync(stoppingToken), DeliverAcksAsync(stoppingToken)).ConfigureAwait(false);
    }

    private async Task ReceiveAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var jitter = new Random();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (_, client) = await channel.ClientsAsync(stoppingToken).ConfigureAwait(false);
                var callOptions = await channel.CallOptionsAsync(deadline: null, stoppingToken).ConfigureAwait(false);
                using var call = client.StreamSetpoints(new SetpointStreamRequest { AgentBootId = identity.BootId }, callOptions);
                DispatchLog.StreamStarted(logger, channel.Address.GetLeftPart(UriPartial.Authority));
                await foreach (var signed in call.ResponseStream.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    failures = 0;
                    var until = AnswerDeadline(signed);
                    await dispatcher.SubmitAsync(signed.ToByteArray(), ack => QueueAck(ack, until), stoppingToken).ConfigureAwait(false);
                }
                failures = 0;
                throw new RpcException(new Status(StatusCode.Unavailable, "the collector ended the setpoint stream"));
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && (ex is OperationCanceledException || GrpcRetry.IsCallFailure(ex)))
            {
                return;
            }
            catch (Exception ex) when (GrpcRetry.IsCallFailure(ex))
            {
                failures++;
                var delay = GrpcRetry.Delay(GrpcRetry.StatusOf(ex), failures, jitter);
                DispatchLog.StreamEnded(logger, GrpcRetry.Describe(ex), delay);
                try { await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task DeliverAcksAsync(CancellationToken stoppingToken)
    {
        // Each answer is delivered on its own, so one the collector keeps refusing (or one for a setpoint it does not
        // know) never holds up the others; the semaphore bounds how many are in flight.
        using var slots = new SemaphoreSlim(MaxAcksInFlight);
        var inFlight = new List<Task>();
        try
        {
            await foreach (var (ack, until) in _acks.Queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(DeliverAsync(ack, until, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task DeliverAsync(SetpointAck ack, DateTimeOffset until, SemaphoreSlim slot, CancellationToken stoppingToken)
    {
        try
        {
            var refusals = 0;
            for (var attempt = 1; ; attempt++)
            {
                string why;
                try
                {
                    var (_, client) = await channel.ClientsAsync(stoppingToken).ConfigureAwait(false);
                    var callOptions = await channel.CallOptionsAsync(time.GetUtcNow() + AckCallTimeout, stoppingToken).ConfigureAwait(false);
                    var receipt = await client.AcknowledgeAsync(ack, callOptions).ConfigureAwait(false);
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
                catch (Exception ex) when (GrpcRetry.IsCallFailure(ex) && GrpcRetry.IsTransient(GrpcRetry.StatusOf(ex)))
                {
                    why = GrpcRetry.Describe(ex);
                }
                catch (RpcException ex)
                {
                    // Refused by status (this site, or this answer): the same call gets the same answer.
                    DispatchLog.AckDropped(logger, ack.SetpointId, $"{ex.StatusCode}: {ex.Status.Detail}");
                    return;
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
        catch (Exception ex) when (stoppingToken.IsCancellationRequested && (ex is OperationCanceledException || GrpcRetry.IsCallFailure(ex))) { }
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
