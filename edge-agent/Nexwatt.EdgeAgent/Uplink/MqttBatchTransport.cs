using Google.Protobuf;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// Telemetry batches as QoS 1 publishes: delivered once the broker's PUBACK arrived. A batch is at most
/// <c>Agent:Uplink:Mqtt:MaxMessageBytes</c> on the wire, and at most the broker's own Maximum Packet Size when its CONNACK
/// (MQTT 5.0) announced one; an MQTT 3.1.1 broker cannot say, so the configured maximum (a size every broker and the
/// collector take) is the limit there.
/// </summary>
internal sealed class MqttBatchTransport(MqttClient client, Topics topics, int maxMessageBytes) : IBatchTransport
{
    public int MaxBatchBytes
    {
        get
        {
            var packetLimit = Math.Min(maxMessageBytes, client.BrokerMaximumPacketSize ?? long.MaxValue);
            // The PUBLISH around the payload: fixed header (up to 3 more length bytes for a larger payload), topic, packet id.
            var overhead = client.PublishPacketSize(topics.Telemetry, 0, MqttQualityOfService.AtLeastOnce) + 3;
            return (int)Math.Max(1, packetLimit - overhead);
        }
    }

    public ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.Telemetry, batch.ToByteArray(), MqttQualityOfService.AtLeastOnce, retain: false, cancellationToken);
}
