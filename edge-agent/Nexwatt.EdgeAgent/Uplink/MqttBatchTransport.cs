using Google.Protobuf;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>Telemetry batches as QoS 1 publishes: delivered once the broker's PUBACK arrived.</summary>
internal sealed class MqttBatchTransport(MqttClient client, Topics topics) : IBatchTransport
{
    public ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.Telemetry, batch.ToByteArray(), MqttQualityOfService.AtLeastOnce, retain: false, cancellationToken);
}
