namespace Nexwatt.Protocols.Mqtt.Formatter.V5;

/// <summary>
/// Sizes and writes the few v5 properties this client sends, or that the test broker sends back: each one is
/// "present when not null". The property length prefix is written by <see cref="Write"/>.
/// </summary>
internal struct MqttPropertyWriter
{
    // Kept as a small fixed list: at most a dozen entries, never allocated on the hot PUBLISH path (which has none).
    private uint? _sessionExpiry, _maximumPacketSize;
    private ushort? _receiveMaximum, _topicAliasMaximum, _serverKeepAlive;
    private byte? _maximumQoS, _retainAvailable;
    private string? _assignedClientId, _reasonString, _serverReference;

    public MqttPropertyWriter SessionExpiry(uint? value) { _sessionExpiry = value; return this; }
    public MqttPropertyWriter MaximumPacketSize(uint? value) { _maximumPacketSize = value; return this; }
    public MqttPropertyWriter ReceiveMaximum(ushort? value) { _receiveMaximum = value; return this; }
    public MqttPropertyWriter TopicAliasMaximum(ushort? value) { _topicAliasMaximum = value; return this; }
    public MqttPropertyWriter ServerKeepAlive(ushort? value) { _serverKeepAlive = value; return this; }
    public MqttPropertyWriter MaximumQoS(byte? value) { _maximumQoS = value; return this; }
    public MqttPropertyWriter RetainAvailable(bool? value) { _retainAvailable = value is null ? null : (byte)(value.Value ? 1 : 0); return this; }
    public MqttPropertyWriter AssignedClientId(string? value) { _assignedClientId = value; return this; }
    public MqttPropertyWriter ReasonString(string? value) { _reasonString = value; return this; }
    public MqttPropertyWriter ServerReference(string? value) { _serverReference = value; return this; }

    /// <summary>Bytes of the properties themselves, without the length prefix.</summary>
    public readonly int ContentSize =>
        (_sessionExpiry is null ? 0 : 5) + (_maximumPacketSize is null ? 0 : 5) + (_receiveMaximum is null ? 0 : 3)
        + (_topicAliasMaximum is null ? 0 : 3) + (_serverKeepAlive is null ? 0 : 3) + (_maximumQoS is null ? 0 : 2)
        + (_retainAvailable is null ? 0 : 2) + Str(_assignedClientId) + Str(_reasonString) + Str(_serverReference);

    /// <summary>Length prefix plus content.</summary>
    public readonly int TotalSize => VariableByteInteger.SizeOf(ContentSize) + ContentSize;

    public readonly bool IsEmpty => ContentSize == 0;

    public readonly void Write(ref MqttSpanWriter writer)
    {
        writer.WriteVariableByteInteger(ContentSize);
        if (_sessionExpiry is { } se) { writer.WriteByte((byte)MqttPropertyId.SessionExpiryInterval); writer.WriteUInt32(se); }
        if (_receiveMaximum is { } rm) { writer.WriteByte((byte)MqttPropertyId.ReceiveMaximum); writer.WriteUInt16(rm); }
        if (_maximumPacketSize is { } mp) { writer.WriteByte((byte)MqttPropertyId.MaximumPacketSize); writer.WriteUInt32(mp); }
        if (_topicAliasMaximum is { } ta) { writer.WriteByte((byte)MqttPropertyId.TopicAliasMaximum); writer.WriteUInt16(ta); }
        if (_serverKeepAlive is { } ka) { writer.WriteByte((byte)MqttPropertyId.ServerKeepAlive); writer.WriteUInt16(ka); }
        if (_maximumQoS is { } mq) { writer.WriteByte((byte)MqttPropertyId.MaximumQoS); writer.WriteByte(mq); }
        if (_retainAvailable is { } ra) { writer.WriteByte((byte)MqttPropertyId.RetainAvailable); writer.WriteByte(ra); }
        if (_assignedClientId is { } ac) { writer.WriteByte((byte)MqttPropertyId.AssignedClientIdentifier); writer.WriteString(ac); }
        if (_reasonString is { } rs) { writer.WriteByte((byte)MqttPropertyId.ReasonString); writer.WriteString(rs); }
        if (_serverReference is { } sr) { writer.WriteByte((byte)MqttPropertyId.ServerReference); writer.WriteString(sr); }
    }

    private static int Str(string? value) => value is null ? 0 : 1 + MqttSpanWriter.StringSize(value);
}
