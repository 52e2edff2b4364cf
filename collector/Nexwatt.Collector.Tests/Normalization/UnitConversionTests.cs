using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;

namespace Nexwatt.Collector.Tests.Normalization;

public class UnitConversionTests
{
    [Theory]
    [InlineData("W", Measurement.ActivePowerW, 1)]
    [InlineData(" kW ", Measurement.ActivePowerW, 1_000)]
    [InlineData("KW", Measurement.ActivePowerW, 1_000)]
    [InlineData("MW", Measurement.ActivePowerW, 1_000_000)]
    [InlineData("Wh", Measurement.EnergyExportedWh, 1)]
    [InlineData("WH", Measurement.EnergyExportedWh, 1)]
    [InlineData("kWh", Measurement.EnergyExportedWh, 1_000)]
    [InlineData("MWh", Measurement.EnergyExportedWh, 1_000_000)]
    [InlineData("var", Measurement.ReactivePowerVar, 1)]
    [InlineData("VAr", Measurement.ReactivePowerVar, 1)]
    [InlineData("kvar", Measurement.ReactivePowerVar, 1_000)]
    [InlineData("VA", Measurement.ApparentPowerVa, 1)]
    [InlineData("kVA", Measurement.ApparentPowerVa, 1_000)]
    [InlineData("%", Measurement.StateOfChargePct, 1)]
    [InlineData("Pct", Measurement.StateOfChargePct, 1)]
    [InlineData("%WHRtg", Measurement.StateOfChargePct, 1)]
    [InlineData("% AhrRtg", Measurement.StateOfChargePct, 1)]
    [InlineData("Hz", Measurement.FrequencyHz, 1)]
    [InlineData("V", Measurement.VoltageV, 1)]
    [InlineData("A", Measurement.CurrentA, 1)]
    [InlineData("W", Measurement.DcPowerW, 1)]
    public void Known_units_convert_to_the_canonical_unit(string unit, Measurement measurement, double factor)
    {
        Assert.True(UnitConversion.TryGetFactor(unit, "", measurement, out var actual));
        Assert.Equal(factor, actual);
    }

    [Theory]
    [InlineData("kWh", Measurement.ActivePowerW)]
    [InlineData("W", Measurement.EnergyExportedWh)]
    [InlineData("VA", Measurement.ReactivePowerVar)]
    [InlineData("furlongs", Measurement.VoltageV)]
    [InlineData("% WChaMax", Measurement.StateOfChargePct)]
    public void A_unit_of_another_dimension_or_unknown_is_refused(string unit, Measurement measurement) =>
        Assert.False(UnitConversion.TryGetFactor(unit, "W", measurement, out _));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void A_missing_unit_means_the_models_declared_one(string? unit)
    {
        Assert.True(UnitConversion.TryGetFactor(unit, "kW", Measurement.ActivePowerW, out var factor));
        Assert.Equal(1_000, factor);
    }
}
