namespace Nexwatt.Protocols.SunSpec.Tests;

public sealed class EncoderTests
{
    private static SunSpecPointDefinition Point(ushort model, string name) => SunSpecModelCatalog.LoadBuiltIn().Get(model).Group.FindPoint(name)!;

    [Fact]
    public void Encodes_a_scaled_setpoint()
    {
        // 123 WMaxLimPct: uint16, RW, scaled by WMaxLimPct_SF.
        var registers = SunSpecPointEncoder.EncodeForWrite(Point(123, "WMaxLimPct"), 55.5, -1);
        Assert.Equal(new ushort[] { 555 }, registers);
    }

    [Fact]
    public void Rejects_read_only_points()
    {
        var ex = Assert.Throws<SunSpecEncodingException>(() => SunSpecPointEncoder.EncodeForWrite(Point(103, "W"), 1, 0));
        Assert.Equal("point W is read-only", ex.Message);
    }

    [Fact]
    public void Requires_the_scale_factor()
    {
        var ex = Assert.Throws<SunSpecEncodingException>(() => SunSpecPointEncoder.EncodeForWrite(Point(123, "WMaxLimPct"), 50, null));
        Assert.Contains("WMaxLimPct_SF", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<SunSpecEncodingException>(() => SunSpecPointEncoder.EncodeForWrite(Point(123, "WMaxLimPct"), 50, unchecked((short)0x8000)));
        Assert.Contains("not implemented", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_values_out_of_range_after_scaling()
    {
        var ex = Assert.Throws<SunSpecEncodingException>(() => SunSpecPointEncoder.EncodeForWrite(Point(123, "WMaxLimPct"), 6553.5, -1));
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
        Assert.Throws<SunSpecEncodingException>(() => SunSpecPointEncoder.EncodeForWrite(Point(123, "WMaxLimPct"), -0.1, -1));
    }

    [Fact]
    public void Encodes_32_bit_points_in_either_word_order()
    {
        // 704 WSet: int32 RW, scaled by W_SF.
        var point = Point(704, "WSet");
        Assert.Equal(new ushort[] { 0xFFFF, 0xFFFE }, SunSpecPointEncoder.EncodeForWrite(point, -2000, 3));
        Assert.Equal(new ushort[] { 0xFFFE, 0xFFFF }, SunSpecPointEncoder.EncodeForWrite(point, -2000, 3, SunSpecWordOrder.LowWordFirst));
    }
}
