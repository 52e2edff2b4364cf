using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Devices;

/// <summary>The parts of a device's fixed registers that every simulated device writes the same way.</summary>
internal static class StaticBlocks
{
    /// <summary>Model 1: who the device says it is.</summary>
    public static void WriteCommon(SunSpecModelBlock common, string model, string serialNumber, int unitId)
    {
        common.WriteString("Mn", "Nexwatt");
        common.WriteString("Md", model);
        common.WriteString("Opt", "hardware-sim");
        common.WriteString("Vr", "0.1.0");
        common.WriteString("SN", serialNumber);
        common.WriteRaw("DA", unitId);
    }

    /// <summary>
    /// Model 101/103 scale factors, set once so that the physics only writes values; power-like points share
    /// <paramref name="wattsScaleFactor"/> so the rating fits an int16. No events are raised.
    /// </summary>
    public static void WriteMeasurementScaleFactors(SunSpecModelBlock measurement, short wattsScaleFactor, short dcAmpsScaleFactor)
    {
        measurement.WriteRaw("A_SF", -1);
        measurement.WriteRaw("V_SF", -1);
        measurement.WriteRaw("W_SF", wattsScaleFactor);
        measurement.WriteRaw("Hz_SF", -2);
        measurement.WriteRaw("VA_SF", wattsScaleFactor);
        measurement.WriteRaw("VAr_SF", wattsScaleFactor);
        measurement.WriteRaw("PF_SF", -1);
        measurement.WriteRaw("WH_SF", 0);
        measurement.WriteRaw("DCA_SF", dcAmpsScaleFactor);
        measurement.WriteRaw("DCV_SF", -1);
        measurement.WriteRaw("DCW_SF", wattsScaleFactor);
        measurement.WriteRaw("Tmp_SF", -1);
        measurement.WriteRaw("Evt1", 0);
        measurement.WriteRaw("Evt2", 0);
    }
}
