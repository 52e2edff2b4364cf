using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Formatter.V5;

/// <summary>Property identifiers (MQTT 5.0 section 2.2.2.2, table 2-4).</summary>
internal enum MqttPropertyId : byte
{
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQoS = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
}

/// <summary>Where a property set sits: decides which identifiers are allowed (table 2-4).</summary>
[Flags]
internal enum MqttPropertyContext
{
    Connect = 1 << 0,
    ConnAck = 1 << 1,
    Publish = 1 << 2,
    Will = 1 << 3,
    PubAck = 1 << 4,
    Subscribe = 1 << 5,
    SubAck = 1 << 6,
    Unsubscribe = 1 << 7,
    UnsubAck = 1 << 8,
    Disconnect = 1 << 9,
    Auth = 1 << 10,
}

/// <summary>A decoded v5 property set: the properties this client acts on, each at most once, plus user properties.</summary>
internal sealed class MqttProperties
{
    public static readonly MqttProperties Empty = new();

    public uint? SessionExpiryInterval;
    public ushort? ReceiveMaximum;
    public uint? MaximumPacketSize;
    public ushort? TopicAliasMaximum;
    public ushort? TopicAlias;
    public byte? MaximumQoS;
    public bool? RetainAvailable;
    public string? AssignedClientIdentifier;
    public ushort? ServerKeepAlive;
    public string? ReasonString;
    public string? ServerReference;
    public string? ResponseTopic;
    public string? ContentType;
    public string? AuthenticationMethod;
    public List<int>? SubscriptionIdentifiers;
    public List<MqttUserProperty>? UserProperties;
}
