namespace Nexwatt.HardwareSim.Physics;

/// <summary>
/// Clear-sky weather at the site: global irradiance on the (horizontal) array and ambient temperature.
/// Deliberately simple: the goal is a believable daily curve, not a forecast.
/// </summary>
internal sealed class ClearSky(double latitudeDegrees, double longitudeDegrees)
{
    /// <summary>Peak irradiance with the sun at the zenith, W/m² (the STC reference).</summary>
    public const double ZenithIrradiance = 1000.0;

    public double LatitudeDegrees { get; } = latitudeDegrees;

    public double LongitudeDegrees { get; } = longitudeDegrees;

    /// <summary>
    /// Irradiance in W/m²: 1000 × sin(elevation)^1.15. The exponent stands in for air mass: a low sun
    /// crosses more atmosphere, so irradiance falls faster than the projection alone.
    /// </summary>
    public double IrradianceWattsPerSquareMetre(DateTimeOffset instant)
    {
        var elevation = SolarPosition.ElevationDegrees(LatitudeDegrees, LongitudeDegrees, instant);
        if (elevation <= 0) return 0;
        return ZenithIrradiance * Math.Pow(Math.Sin(elevation * Math.PI / 180.0), 1.15);
    }

    /// <summary>
    /// Ambient temperature in °C: a seasonal mean from latitude plus a daily swing that peaks two hours
    /// after solar noon, when the ground has warmed most.
    /// </summary>
    public double AmbientCelsius(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var seasonal = SolarPosition.DeclinationDegrees(utc.DayOfYear) * Math.Sign(LatitudeDegrees == 0 ? 1 : LatitudeDegrees) / 23.45;
        var mean = 28 - 0.3 * Math.Abs(LatitudeDegrees) + 8 * seasonal;
        var hourAngle = SolarPosition.HourAngleDegrees(LongitudeDegrees, utc);
        var daily = 5 * Math.Cos((hourAngle - 30) * Math.PI / 180.0);
        return mean + daily;
    }
}
