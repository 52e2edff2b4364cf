namespace Nexwatt.Protocols.RegisterMaps.Tests;

/// <summary>Byte vectors: registers as a device puts them on the wire, and the value they stand for.</summary>
public sealed class CodecTests
{
    private static RegisterPoint Point(PointType type, WordOrder words = WordOrder.HighFirst, ByteOrder bytes = ByteOrder.BigEndian,
        double scale = 1, int length = 0, params NotAvailableValue[] sentinels) =>
        new("p", 0, RegisterKind.Holding, type, length, words, bytes, scale, null, null, sentinels, null, 1, null, null, 0x0004, true);

    [Theory]
    [InlineData(PointType.Int16, new ushort[] { 0xFF38 }, -200)]
    [InlineData(PointType.UInt16, new ushort[] { 0xFF38 }, 65336)]
    [InlineData(PointType.Int32, new ushort[] { 0xFFFF, 0xF830 }, -2000)]        // Huawei 37765: -2000 W, high word first
    [InlineData(PointType.UInt32, new ushort[] { 0x0001, 0x0000 }, 65536)]
    [InlineData(PointType.Float32, new ushort[] { 0x4348, 0x0000 }, 200)]        // IEEE 754: 0x43480000 = 200.0 (Eastron)
    [InlineData(PointType.Int64, new ushort[] { 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE }, -2)]
    [InlineData(PointType.Float64, new ushort[] { 0x4059, 0x0000, 0x0000, 0x0000 }, 100)]
    public void Decodes_big_endian_high_word_first(PointType type, ushort[] words, double expected)
        => Assert.Equal(expected, PointCodec.Decode(Point(type), words).Number);

    [Fact]
    public void Decodes_a_float_with_its_low_word_first_as_SolarEdge_battery_registers_are()
        // 1500.5 W = 0x44BB9000; SolarEdge puts 0x9000 in the first register.
        => Assert.Equal(1500.5, PointCodec.Decode(Point(PointType.Float32, WordOrder.LowFirst), [0x9000, 0x44BB]).Number);

    [Fact]
    public void Swaps_the_bytes_inside_each_register_for_little_endian_devices()
        => Assert.Equal(0x1234, PointCodec.Decode(Point(PointType.UInt16, bytes: ByteOrder.LittleEndian), [0x3412]).Number);

    [Fact]
    public void Applies_the_scale()
        => Assert.Equal(55.5, PointCodec.Decode(Point(PointType.UInt16, scale: 0.1), [555]).Number, 9);

    [Fact]
    public void A_sentinel_is_not_available_never_a_number()
    {
        var value = PointCodec.Decode(Point(PointType.Int16, sentinels: new NotAvailableValue(0x7FFF, false)), [0x7FFF]);
        Assert.Equal(PointValueKind.NotAvailable, value.Kind);
        Assert.Null(value.AsNumber);
    }

    [Fact]
    public void A_NaN_float_is_not_available_even_without_a_sentinel()
        => Assert.Equal(PointValueKind.NotAvailable, PointCodec.Decode(Point(PointType.Float32), [0x7FC0, 0x0000]).Kind);

    [Fact]
    public void Decodes_a_string_padded_with_NUL()
        => Assert.Equal("SUN2", PointCodec.Decode(Point(PointType.String, length: 3), [0x5355, 0x4E32, 0x0000]).Text);

    [Fact]
    public void Decodes_a_bool_through_its_mask()
    {
        Assert.Equal(1, PointCodec.Decode(Point(PointType.Bool), [0x0006]).Number);
        Assert.Equal(0, PointCodec.Decode(Point(PointType.Bool), [0x0003]).Number);
    }

    [Theory]
    [InlineData(PointType.Int32, WordOrder.HighFirst, -2000.0, new ushort[] { 0xFFFF, 0xF830 })]
    [InlineData(PointType.Float32, WordOrder.LowFirst, 1500.5, new ushort[] { 0x9000, 0x44BB })]
    [InlineData(PointType.UInt16, WordOrder.HighFirst, 3000.0, new ushort[] { 3000 })]
    public void Encodes_to_the_same_vectors(PointType type, WordOrder order, double value, ushort[] expected)
    {
        var point = Point(type, order);
        var words = new ushort[point.Count];
        PointCodec.Encode(point, value, words);
        Assert.Equal(expected, words);
    }

    [Fact]
    public void Encoding_a_value_that_does_not_fit_throws_instead_of_wrapping()
        => Assert.Throws<ArgumentOutOfRangeException>(() => PointCodec.Encode(Point(PointType.UInt16), -1, new ushort[1]));

    [Fact]
    public void A_scale_factor_register_scales_by_its_power_of_ten()
    {
        var map = TestMaps.Parse();
        var energy = map.Get("energy");
        var raw = new List<(RegisterPoint, ushort[]?, bool)> { (map.Get("sf"), [0xFFFF], false), (energy, [0x0000, 0x3039], false) };
        var reading = RegisterMapReader.Decode(raw, [energy]).Single();
        Assert.Equal(1234.5, reading.Value.Number, 9); // 12345 x 10^-1
    }

    [Fact]
    public void The_canonical_value_carries_the_points_sign()
    {
        var map = TestMaps.Parse();
        var power = map.Get("power"); // the test battery reports +2000 while charging
        var reading = RegisterMapReader.Decode([(power, [0x0000, 0x07D0], false)], [power]).Single();
        Assert.Equal(2000, reading.Value.Number);
        Assert.Equal(-2000, reading.CanonicalValue);
    }
}
