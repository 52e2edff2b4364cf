namespace Nexwatt.HardwareSim.Devices;

/// <summary>Small conversions the device register writers share.</summary>
internal static class SunSpecEncoding
{
    private static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Seconds since 2000-01-01 UTC, the SunSpec time base (model 122 Tms, model 160 Tms).</summary>
    public static uint Seconds(DateTimeOffset now) => (uint)Math.Clamp((now - Epoch).TotalSeconds, 0, uint.MaxValue);

    /// <summary>The smallest non-negative power-of-ten scale factor that keeps <paramref name="maxValue"/> inside an int16.</summary>
    public static short ScaleFactorFor(double maxValue)
    {
        short sf = 0;
        while (Math.Abs(maxValue) / Math.Pow(10, sf) > 30_000) sf++;
        return sf;
    }
}
