using System.Buffers.Binary;
using System.Text;

namespace Nexwatt.Protocols.Mqtt.Formatter;

/// <summary>Writes the MQTT data types into a span sized in advance by the encoder.</summary>
internal ref struct MqttSpanWriter
{
    private readonly Span<byte> _data;
    private int _position;

    public MqttSpanWriter(Span<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteByte(byte value) => _data[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_data[_position..], value);
        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_data[_position..], value);
        _position += 4;
    }

    public void WriteVariableByteInteger(int value) => _position += VariableByteInteger.Write(_data[_position..], value);

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetBytes(value, _data[(_position + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(_data[_position..], checked((ushort)length));
        _position += 2 + length;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt16(checked((ushort)value.Length));
        WriteBytes(value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_data[_position..]);
        _position += value.Length;
    }

    /// <summary>Size of a UTF-8 Encoded String: two byte length prefix plus the bytes; throws for strings over 65535 bytes.</summary>
    public static int StringSize(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue) throw new ArgumentException($"String of {length} UTF-8 bytes exceeds the MQTT limit of 65535.", nameof(value));
        return 2 + length;
    }

    public static int BinarySize(int length)
    {
        if (length > ushort.MaxValue) throw new ArgumentException($"Binary data of {length} bytes exceeds the MQTT limit of 65535.", nameof(length));
        return 2 + length;
    }
}
