using System.Buffers.Binary;
using System.Text;

namespace Nexwatt.Protocols.Mqtt.Formatter;

/// <summary>
/// Reads the MQTT data types (5.0 section 1.5, 3.1.1 section 1.5) from a packet body. Every read past the end or
/// of an invalid value throws <see cref="MqttProtocolException"/>; nothing is allocated beyond what the body holds.
/// </summary>
internal ref struct MqttSpanReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly string _packet;
    private int _position;

    public MqttSpanReader(ReadOnlySpan<byte> data, string packet)
    {
        _data = data;
        _packet = packet;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _data.Length - _position;
    public readonly bool End => _position >= _data.Length;
    public readonly string PacketName => _packet;

    public byte ReadByte()
    {
        Need(1, "a byte");
        return _data[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2, "a two byte integer");
        var value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4, "a four byte integer");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public int ReadVariableByteInteger()
    {
        if (!VariableByteInteger.TryRead(_data[_position..], out var value, out var length))
            throw Malformed("ends inside a variable byte integer");
        _position += length;
        return value;
    }

    /// <summary>UTF-8 Encoded String (1.5.4): two byte length, well-formed UTF-8, no U+0000.</summary>
    public string ReadString()
    {
        var length = ReadUInt16();
        Need(length, $"a {length} byte string");
        var bytes = _data.Slice(_position, length);
        _position += length;
        if (bytes.IndexOf((byte)0) >= 0) throw Malformed("has a string containing U+0000");
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw Malformed("has a string that is not well-formed UTF-8"); }
    }

    /// <summary>Binary Data (1.5.6): two byte length, then bytes (copied).</summary>
    public byte[] ReadBinary()
    {
        var length = ReadUInt16();
        Need(length, $"{length} bytes of binary data");
        var bytes = _data.Slice(_position, length).ToArray();
        _position += length;
        return bytes;
    }

    /// <summary>Returns the next <paramref name="length"/> bytes without copying.</summary>
    public ReadOnlySpan<byte> ReadSpan(int length)
    {
        Need(length, $"{length} bytes");
        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    public ReadOnlySpan<byte> ReadToEnd()
    {
        var span = _data[_position..];
        _position = _data.Length;
        return span;
    }

    public readonly void ExpectEnd()
    {
        if (_position != _data.Length) throw Malformed($"has {_data.Length - _position} unexpected trailing bytes");
    }

    public readonly MqttProtocolException Malformed(string what) => new($"Malformed {_packet} packet: {what}.");

    private readonly void Need(int count, string what)
    {
        if (count > _data.Length - _position) throw Malformed($"ends where {what} was expected (at byte {_position} of {_data.Length})");
    }
}
