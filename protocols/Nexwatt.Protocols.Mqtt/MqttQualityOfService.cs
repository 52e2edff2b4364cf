namespace Nexwatt.Protocols.Mqtt;

/// <summary>MQTT delivery guarantees (MQTT 5.0 section 4.3). QoS 2 is not offered: at-least-once plus dedupe upstream is the design.</summary>
public enum MqttQualityOfService : byte
{
    /// <summary>QoS 0: fire and forget.</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: acknowledged by PUBACK, may be delivered more than once.</summary>
    AtLeastOnce = 1,
}
