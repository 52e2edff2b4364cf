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
internal sealed class SetpointInbox(MqttClient client, Topics topics, SetpointDispatcher dispatcher, ILogger logger)
{
    private const int PublishAttempts = 5;

    internal const int AckQueueCapacity = 256;

    // Bounded, DropOldest: the dispatcher must never wait on the broker. An answer old enough to be pushed out is
    // logged, and not lost for good: the collector re-sends a setpoint it has no answer to, and a duplicate gets the
    // answer again.
    private readonly Channel<SetpointAck> _acks = Channel.CreateBounded<SetpointAck>(
        new BoundedChannelOptions(AckQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        dropped => Dispatch.DispatchLog.AckDropped(logger, dropped.SetpointId,
            $"{AckQueueCapacity} answers were waiting for the broker; it gets this one again when the collector re-sends the setpoint"));

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(ReceiveAsync(cancellationToken), PublishAcksAsync(cancellationToken));

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in client.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (message.Topic != topics.Setpoints) continue;
                await dispatcher.SubmitAsync(message.Payload, ack => _acks.Writer.TryWrite(ack), cancellationToken).ConfigureAwait(false);
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
                        await client.WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
                        await client.PublishAsync(topics.Acks, payload, MqttQualityOfService.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (MqttException ex) when (attempt < PublishAttempts)
                    {
                        DispatchLog.AckRetry(logger, ack.SetpointId, ex.Message, TimeSpan.Zero);
                    }
                    catch (MqttException ex)
                    {
                        DispatchLog.AckDropped(logger, ack.SetpointId, ex.Message);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }
}
