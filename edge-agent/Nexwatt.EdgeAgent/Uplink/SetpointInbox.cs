using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// The MQTT side of dispatch: setpoints arriving on {prefix}/{site}/setpoints (QoS 1) go to the one
/// <see cref="SetpointDispatcher"/>, and its answers are published on {prefix}/{site}/acks at QoS 1.
/// </summary>
internal sealed class SetpointInbox
{
    private const int PublishAttempts = 5;

    internal const int AckQueueCapacity = 256;

    private readonly MqttClient _client;
    private readonly Topics _topics;
    private readonly SetpointDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly Channel<SetpointAck> _acks;
    private long _acksPushedOut;

    public SetpointInbox(MqttClient client, Topics topics, SetpointDispatcher dispatcher, ILogger logger)
    {
        _client = client;
        _topics = topics;
        _dispatcher = dispatcher;
        _logger = logger;
        // Bounded, DropOldest: the dispatcher must never wait on the broker. An answer old enough to be pushed out is
        // counted and logged, and not lost for good: the collector re-sends a setpoint it has no answer to, and a
        // duplicate gets the answer again.
        _acks = Channel.CreateBounded<SetpointAck>(
            new BoundedChannelOptions(AckQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                Interlocked.Increment(ref _acksPushedOut);
                DispatchLog.AckDropped(logger, dropped.SetpointId,
                    $"{AckQueueCapacity} answers were waiting for the broker; it gets this one again when the collector re-sends the setpoint");
            });
    }

    /// <summary>Answers pushed out of the full queue since start.</summary>
    public long AcksPushedOut => Interlocked.Read(ref _acksPushedOut);

    /// <summary>Queues an answer for publishing; never waits (a full queue pushes its oldest answer out).</summary>
    internal void QueueAck(SetpointAck ack) => _acks.Writer.TryWrite(ack);

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(ReceiveAsync(cancellationToken), PublishAcksAsync(cancellationToken));

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _client.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (message.Topic != _topics.Setpoints) continue;
                await _dispatcher.SubmitAsync(message.Payload, QueueAck, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    private async Task PublishAcksAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var ack in _acks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var payload = ack.ToByteArray();
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await _client.WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
                        await _client.PublishAsync(_topics.Acks, payload, MqttQualityOfService.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (MqttException ex) when (attempt < PublishAttempts)
                    {
                        DispatchLog.AckRetry(_logger, ack.SetpointId, ex.Message, TimeSpan.Zero);
                    }
                    catch (MqttException ex)
                    {
                        DispatchLog.AckDropped(_logger, ack.SetpointId, ex.Message);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }
}
