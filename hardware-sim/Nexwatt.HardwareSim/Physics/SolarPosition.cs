namespace Nexwatt.HardwareSim.Physics;

/// <summary>
/// Sun elevation from latitude, longitude and a UTC instant, with the textbook approximations
/// (Cooper's declination, Spencer-style equation of time). Good to about a degree, which is plenty
/// for a bench simulator; it is not an ephemeris.
/// </summary>
internal static class SolarPosition
{
    /// <summary>Sun elevation above the horizon in degrees (negative at night).</summary>
    public static double ElevationDegrees(double latitudeDegrees, double longitudeDegrees, DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var dayOfYear = utc.DayOfYear;
        var declination = DeclinationDegrees(dayOfYear);
        var hourAngle = HourAngleDegrees(longitudeDegrees, utc);
        var lat = ToRadians(latitudeDegrees);
        var dec = ToRadians(declination);
        var sinElevation = Math.Sin(lat) * Math.Sin(dec) + Math.Cos(lat) * Math.Cos(dec) * Math.Cos(ToRadians(hourAngle));
        return ToDegrees(Math.Asin(Math.Clamp(sinElevation, -1, 1)));
    }

    /// <summary>Solar declination (Cooper 1969): 23.45° × sin(360/365 × (284 + N)).</summary>
    public static double DeclinationDegrees(int dayOfYear) => 23.45 * Math.Sin(ToRadians(360.0 / 365.0 * (284 + dayOfYear)));

    /// <summary>Equation of time in minutes: how far apparent solar time runs ahead of mean solar time.</summary>
    public static double EquationOfTimeMinutes(int dayOfYear)
    {
        var b = ToRadians(360.0 / 365.0 * (dayOfYear - 81));
        return 9.87 * Math.Sin(2 * b) - 7.53 * Math.Cos(b) - 1.5 * Math.Sin(b);
    }

    /// <summary>Hour angle in degrees: 0 at solar noon, 15° per hour, positive in the afternoon.</summary>
    public static double HourAngleDegrees(double longitudeDegrees, DateTime utc)
    {
        var utcMinutes = utc.TimeOfDay.TotalMinutes;
        // Each degree of longitude east moves solar time 4 minutes ahead of UTC.
        var solarMinutes = utcMinutes + 4 * longitudeDegrees + EquationOfTimeMinutes(utc.DayOfYear);
        return (solarMinutes / 4.0) - 180.0;
    }

    /// <summary>The UTC instant of solar noon on the UTC date of <paramref name="day"/>.</summary>
    public static DateTimeOffset SolarNoonUtc(double longitudeDegrees, DateTimeOffset day)
    {
        var date = day.UtcDateTime.Date;
        var minutes = 720 - 4 * longitudeDegrees - EquationOfTimeMinutes(date.DayOfYear);
        return new DateTimeOffset(date, TimeSpan.Zero).AddMinutes(minutes);
    }

    private static double ToRadians(double degrees) => degrees * Math.PI / 180.0;

    private static double ToDegrees(double radians) => radians * 180.0 / Math.PI;
}
