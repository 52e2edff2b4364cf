using System.Buffers;
using Nexwatt.Protocols.Mqtt.Formatter;

namespace Nexwatt.Protocols.Mqtt.Tests.Formatter;

/// <summary>MQTT 5.0 section 1.5.5 table 1-1 (3.1.1 table 2.4): the boundaries of each encoded length.</summary>
public sealed class VariableByteIntegerTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "80 01")]
    [InlineData(16_383, "FF 7F")]
    [InlineData(16_384, "80 80 01")]
    [InlineData(2_097_151, "FF FF 7F")]
    [InlineData(2_097_152, "80 80 80 01")]
    [InlineData(268_435_455, "FF FF FF 7F")]
    public void Spec_table_values_encode_and_decode(int value, string hex)
    {
        var expected = Hex.Bytes(hex);
        var buffer = new byte[4];
        var written = VariableByteInteger.Write(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, VariableByteInteger.SizeOf(value));

        Assert.True(VariableByteInteger.TryRead(expected, out var decoded, out var length));
        Assert.Equal(value, decoded);
        Assert.Equal(expected.Length, length);
        Assert.True(VariableByteInteger.TryRead(new ReadOnlySequence<byte>(expected), 0, out decoded, out _));
        Assert.Equal(value, decoded);
    }

    [Fact]
    public void A_fifth_byte_is_malformed() => Assert.Throws<MqttProtocolException>(() => VariableByteInteger.TryRead(Hex.Bytes("FF FF FF FF 01"), out _, out _));

    [Fact]
    public void An_incomplete_integer_needs_more_bytes() => Assert.False(VariableByteInteger.TryRead(Hex.Bytes("80 80"), out _, out _));

    [Theory]
    [InlineData(-1)]
    [InlineData(268_435_456)]
    public void Out_of_range_values_cannot_be_encoded(int value) => Assert.Throws<ArgumentOutOfRangeException>(() => VariableByteInteger.SizeOf(value));
}
