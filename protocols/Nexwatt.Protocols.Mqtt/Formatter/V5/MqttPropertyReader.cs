namespace Nexwatt.Protocols.Mqtt.Formatter.V5;

/// <summary>
/// Reads and validates a v5 property set (MQTT 5.0 section 2.2.2): a variable byte integer length that must fit in
/// the packet, then identifier/value pairs. Unknown identifiers, identifiers not allowed in the packet, repeated
/// single-valued properties and out-of-range values are malformed packets (section 2.2.2.2, 4.13).
/// </summary>
internal static class MqttPropertyReader
{
    public static MqttProperties Read(ref MqttSpanReader reader, MqttPropertyContext context)
    {
        var length = reader.ReadVariableByteInteger();
        if (length > reader.Remaining) throw reader.Malformed($"declares {length} bytes of properties but only {reader.Remaining} remain");
        if (length == 0) return MqttProperties.Empty;
        var end = reader.Position + length;
        var properties = new MqttProperties();
        Span<bool> seen = stackalloc bool[0x30];
        while (reader.Position < end)
        {
            var raw = reader.ReadVariableByteInteger();
            if (raw >= seen.Length || !Enum.IsDefined((MqttPropertyId)raw))
                throw reader.Malformed($"has unknown property identifier 0x{raw:X2}");
            var id = (MqttPropertyId)raw;
            if ((AllowedIn(id) & context) == 0) throw reader.Malformed($"has property {id} (0x{raw:X2}), which is not allowed there");
            if (id is not (MqttPropertyId.UserProperty or MqttPropertyId.SubscriptionIdentifier))
            {
                if (seen[raw]) throw reader.Malformed($"has property {id} more than once");
                seen[raw] = true;
            }
            ReadValue(ref reader, id, properties);
            if (reader.Position > end) throw reader.Malformed("has a property that runs past the declared property length");
        }
        return properties;
    }

    private static void ReadValue(ref MqttSpanReader reader, MqttPropertyId id, MqttProperties p)
    {
        switch (id)
        {
            case MqttPropertyId.PayloadFormatIndicator:
            case MqttPropertyId.RequestProblemInformation:
            case MqttPropertyId.RequestResponseInformation:
            case MqttPropertyId.WildcardSubscriptionAvailable:
            case MqttPropertyId.SubscriptionIdentifierAvailable:
            case MqttPropertyId.SharedSubscriptionAvailable:
                Boolean(ref reader, id);
                break;
            case MqttPropertyId.RetainAvailable:
                p.RetainAvailable = Boolean(ref reader, id);
                break;
            case MqttPropertyId.MaximumQoS:
                p.MaximumQoS = reader.ReadByte();
                if (p.MaximumQoS > 1) throw reader.Malformed($"has Maximum QoS {p.MaximumQoS} (only 0 or 1 may be sent)");
                break;
            case MqttPropertyId.MessageExpiryInterval:
            case MqttPropertyId.WillDelayInterval:
                reader.ReadUInt32();
                break;
            case MqttPropertyId.SessionExpiryInterval:
                p.SessionExpiryInterval = reader.ReadUInt32();
                break;
            case MqttPropertyId.MaximumPacketSize:
                p.MaximumPacketSize = reader.ReadUInt32();
                if (p.MaximumPacketSize == 0) throw reader.Malformed("has Maximum Packet Size 0");
                break;
            case MqttPropertyId.ReceiveMaximum:
                p.ReceiveMaximum = reader.ReadUInt16();
                if (p.ReceiveMaximum == 0) throw reader.Malformed("has Receive Maximum 0");
                break;
            case MqttPropertyId.TopicAliasMaximum:
                p.TopicAliasMaximum = reader.ReadUInt16();
                break;
            case MqttPropertyId.TopicAlias:
                p.TopicAlias = reader.ReadUInt16();
                if (p.TopicAlias == 0) throw reader.Malformed("has Topic Alias 0");
                break;
            case MqttPropertyId.ServerKeepAlive:
                p.ServerKeepAlive = reader.ReadUInt16();
                break;
            case MqttPropertyId.SubscriptionIdentifier:
                var subscriptionId = reader.ReadVariableByteInteger();
                if (subscriptionId == 0) throw reader.Malformed("has Subscription Identifier 0");
                (p.SubscriptionIdentifiers ??= []).Add(subscriptionId);
                break;
            case MqttPropertyId.ContentType:
                p.ContentType = reader.ReadString();
                break;
            case MqttPropertyId.ResponseTopic:
                p.ResponseTopic = reader.ReadString();
                break;
            case MqttPropertyId.AssignedClientIdentifier:
                p.AssignedClientIdentifier = reader.ReadString();
                break;
            case MqttPropertyId.AuthenticationMethod:
                p.AuthenticationMethod = reader.ReadString();
                break;
            case MqttPropertyId.ResponseInformation:
                reader.ReadString();
                break;
            case MqttPropertyId.ServerReference:
                p.ServerReference = reader.ReadString();
                break;
            case MqttPropertyId.ReasonString:
                p.ReasonString = reader.ReadString();
                break;
            case MqttPropertyId.CorrelationData:
            case MqttPropertyId.AuthenticationData:
                reader.ReadBinary();
                break;
            case MqttPropertyId.UserProperty:
                var name = reader.ReadString();
                var value = reader.ReadString();
                (p.UserProperties ??= []).Add(new(name, value));
                break;
            default:
                throw reader.Malformed($"has unknown property identifier 0x{(byte)id:X2}");
        }
    }

    private static bool Boolean(ref MqttSpanReader reader, MqttPropertyId id)
    {
        var value = reader.ReadByte();
        if (value > 1) throw reader.Malformed($"has {id} = {value} (only 0 or 1 are allowed)");
        return value == 1;
    }

    /// <summary>Table 2-4 of MQTT 5.0: which packets may carry each property.</summary>
    public static MqttPropertyContext AllowedIn(MqttPropertyId id) => id switch
    {
        MqttPropertyId.PayloadFormatIndicator or MqttPropertyId.MessageExpiryInterval or MqttPropertyId.ContentType
            or MqttPropertyId.ResponseTopic or MqttPropertyId.CorrelationData => MqttPropertyContext.Publish | MqttPropertyContext.Will,
        MqttPropertyId.SubscriptionIdentifier => MqttPropertyContext.Publish | MqttPropertyContext.Subscribe,
        MqttPropertyId.SessionExpiryInterval => MqttPropertyContext.Connect | MqttPropertyContext.ConnAck | MqttPropertyContext.Disconnect,
        MqttPropertyId.AssignedClientIdentifier or MqttPropertyId.ServerKeepAlive or MqttPropertyId.ResponseInformation
            or MqttPropertyId.MaximumQoS or MqttPropertyId.RetainAvailable or MqttPropertyId.WildcardSubscriptionAvailable
            or MqttPropertyId.SubscriptionIdentifierAvailable or MqttPropertyId.SharedSubscriptionAvailable => MqttPropertyContext.ConnAck,
        MqttPropertyId.AuthenticationMethod or MqttPropertyId.AuthenticationData => MqttPropertyContext.Connect | MqttPropertyContext.ConnAck | MqttPropertyContext.Auth,
        MqttPropertyId.RequestProblemInformation or MqttPropertyId.RequestResponseInformation => MqttPropertyContext.Connect,
        MqttPropertyId.WillDelayInterval => MqttPropertyContext.Will,
        MqttPropertyId.ServerReference => MqttPropertyContext.ConnAck | MqttPropertyContext.Disconnect,
        MqttPropertyId.ReasonString => MqttPropertyContext.ConnAck | MqttPropertyContext.PubAck | MqttPropertyContext.SubAck
            | MqttPropertyContext.UnsubAck | MqttPropertyContext.Disconnect | MqttPropertyContext.Auth,
        MqttPropertyId.ReceiveMaximum or MqttPropertyId.TopicAliasMaximum or MqttPropertyId.MaximumPacketSize
            => MqttPropertyContext.Connect | MqttPropertyContext.ConnAck,
        MqttPropertyId.TopicAlias => MqttPropertyContext.Publish,
        MqttPropertyId.UserProperty => (MqttPropertyContext)0x7FF,
        _ => 0,
    };
}
