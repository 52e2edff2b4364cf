namespace Nexwatt.HardwareSim.Physics;

/// <summary>
/// DC output of a PV array: rated power scaled by irradiance, derated for cell temperature.
/// Cell temperature uses the NOCT approximation T_cell = T_amb + (NOCT − 20)/800 × G.
/// </summary>
internal sealed class PvArrayModel(double ratedDcWatts)
{
    /// <summary>Power temperature coefficient of crystalline silicon, per °C above 25 °C.</summary>
    public const double TemperatureCoefficientPerKelvin = -0.004;

    /// <summary>Nominal operating cell temperature, °C.</summary>
    public const double NominalOperatingCellCelsius = 45;

    public double RatedDcWatts { get; } = ratedDcWatts;

    public static double CellCelsius(double irradiance, double ambientCelsius)
        => ambientCelsius + (NominalOperatingCellCelsius - 20) / 800.0 * irradiance;

    /// <summary>Available DC power in watts (never negative).</summary>
    public double DcWatts(double irradiance, double ambientCelsius)
    {
        if (irradiance <= 0) return 0;
        var derating = 1 + TemperatureCoefficientPerKelvin * (CellCelsius(irradiance, ambientCelsius) - 25);
        return Math.Max(0, RatedDcWatts * irradiance / ClearSky.ZenithIrradiance * derating);
    }
}
