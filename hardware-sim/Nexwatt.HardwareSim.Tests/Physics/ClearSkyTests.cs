using Nexwatt.HardwareSim.Physics;

namespace Nexwatt.HardwareSim.Tests.Physics;

public sealed class ClearSkyTests
{
    private static readonly ClearSky Amsterdam = new(52.37, 4.90);

    [Fact]
    public void Irradiance_is_zero_at_night()
    {
        var midnight = new DateTimeOffset(2026, 6, 21, 23, 40, 0, TimeSpan.Zero);
        Assert.Equal(0, Amsterdam.IrradianceWattsPerSquareMetre(midnight));
        Assert.Equal(0, Amsterdam.IrradianceWattsPerSquareMetre(new DateTimeOffset(2026, 12, 21, 4, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(2026, 6, 21)]
    [InlineData(2026, 3, 20)]
    [InlineData(2026, 12, 21)]
    public void Peak_comes_within_ten_minutes_of_solar_noon(int year, int month, int day)
    {
        var date = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero);
        var best = date;
        var bestIrradiance = -1.0;
        for (var t = date; t < date.AddDays(1); t = t.AddMinutes(1))
        {
            var g = Amsterdam.IrradianceWattsPerSquareMetre(t);
            if (g > bestIrradiance) { bestIrradiance = g; best = t; }
        }
        var noon = SolarPosition.SolarNoonUtc(Amsterdam.LongitudeDegrees, date);
        Assert.InRange((best - noon).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(10));
        // At 4.9° E solar noon is about 20 minutes before 12:00 UTC, shifted by the equation of time.
        Assert.InRange(noon.TimeOfDay, new TimeSpan(11, 20, 0), new TimeSpan(12, 5, 0));
    }

    [Fact]
    public void Midsummer_noon_at_52_north_is_plausible()
    {
        // Sun elevation at solar noon = 90 − 52.37 + 23.44 ≈ 61°.
        var noon = SolarPosition.SolarNoonUtc(4.90, new DateTimeOffset(2026, 6, 21, 0, 0, 0, TimeSpan.Zero));
        Assert.InRange(SolarPosition.ElevationDegrees(52.37, 4.90, noon), 60, 62.5);
        Assert.InRange(Amsterdam.IrradianceWattsPerSquareMetre(noon), 820, 900);
    }

    [Fact]
    public void Midwinter_noon_at_52_north_is_low_and_the_equator_at_equinox_is_near_1000()
    {
        var winterNoon = SolarPosition.SolarNoonUtc(4.90, new DateTimeOffset(2026, 12, 21, 0, 0, 0, TimeSpan.Zero));
        Assert.InRange(SolarPosition.ElevationDegrees(52.37, 4.90, winterNoon), 13, 16);
        Assert.InRange(Amsterdam.IrradianceWattsPerSquareMetre(winterNoon), 150, 260);

        var equator = new ClearSky(0, 0);
        var equinoxNoon = SolarPosition.SolarNoonUtc(0, new DateTimeOffset(2026, 3, 20, 0, 0, 0, TimeSpan.Zero));
        Assert.InRange(equator.IrradianceWattsPerSquareMetre(equinoxNoon), 985, 1000);
    }

    [Fact]
    public void Southern_hemisphere_summer_is_in_december()
    {
        var sydney = new ClearSky(-33.87, 151.21);
        var decemberNoon = SolarPosition.SolarNoonUtc(151.21, new DateTimeOffset(2026, 12, 21, 0, 0, 0, TimeSpan.Zero));
        var juneNoon = SolarPosition.SolarNoonUtc(151.21, new DateTimeOffset(2026, 6, 21, 0, 0, 0, TimeSpan.Zero));
        Assert.True(sydney.IrradianceWattsPerSquareMetre(decemberNoon) > 1.5 * sydney.IrradianceWattsPerSquareMetre(juneNoon));
    }

    [Fact]
    public void Pv_array_derates_with_cell_temperature()
    {
        var array = new PvArrayModel(10_000);
        Assert.Equal(0, array.DcWatts(0, 20));
        var cool = array.DcWatts(1000, 0);
        var hot = array.DcWatts(1000, 35);
        Assert.True(cool > hot);
        // 35 °C ambient + 31 K heating = 66 °C cell: 41 K × 0.4 %/K ≈ 16 % loss.
        Assert.InRange(hot, 8_200, 8_500);
    }
}
