using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// Receives the site's setpoints. This agent version applies none: each one is answered with a rejection and
/// its reason, so the collector never waits on a site that cannot act (dispatch comes with a later version).
/// </summary>
internal sealed class SetpointInbox(MqttClient client, Topics topics, AgentIdentity identity, TimeProvider time, ILogger logger)
{
    public const string NotSupported = "dispatch is not supported by this agent version";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in client.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (message.Topic != topics.Setpoints) continue;
                var ack = Answer(message.Payload);
                UplinkLog.SetpointRejected(logger, ack.SetpointId, ack.Reason);
                try { await client.PublishAsync(topics.Acks, ack.ToByteArray(), MqttQualityOfService.AtLeastOnce, false, cancellationToken).ConfigureAwait(false); }
                catch (MqttException) { /* the collector re-sends an unacknowledged setpoint */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    internal SetpointAck Answer(ReadOnlyMemory<byte> payload)
    {
        var ack = new SetpointAck { SiteId = identity.SiteId, Result = SetpointAck.Types.Result.Rejected, TimeUs = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 };
        try
        {
            var signed = SignedSetpoint.Parser.ParseFrom(payload.Span);
            var setpoint = Setpoint.Parser.ParseFrom(signed.Setpoint);
            ack.SetpointId = setpoint.SetpointId;
            ack.Reason = setpoint.SiteId == identity.SiteId ? NotSupported : $"setpoint is for site '{setpoint.SiteId}', not this site";
        }
        catch (InvalidProtocolBufferException)
        {
            UplinkLog.UndecodableMessage(logger, topics.Setpoints, payload.Length);
            ack.Reason = "malformed setpoint";
        }
        return ack;
    }
}
