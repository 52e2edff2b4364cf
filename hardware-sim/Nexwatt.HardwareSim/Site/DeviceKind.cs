namespace Nexwatt.HardwareSim.Site;

/// <summary>The kinds of simulated device.</summary>
internal enum DeviceKind
{
    Inverter,
    Battery,
}

internal static class DeviceKinds
{
    public static string Names => "inverter, battery";

    public static bool TryParse(string text, out DeviceKind kind)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "inverter" or "pv" or "pv-inverter":
                kind = DeviceKind.Inverter;
                return true;
            case "battery" or "storage":
                kind = DeviceKind.Battery;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    public static string ToName(this DeviceKind kind) => kind == DeviceKind.Inverter ? "inverter" : "battery";
}
