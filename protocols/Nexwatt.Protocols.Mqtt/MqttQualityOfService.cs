namespace Nexwatt.Protocols.Mqtt;

/// <summary>MQTT delivery guarantees (MQTT 5.0 section 4.3). QoS 2 is not offered: at-least-once plus dedupe upstream is the design.</summary>
public enum MqttQualityOfService : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
}
