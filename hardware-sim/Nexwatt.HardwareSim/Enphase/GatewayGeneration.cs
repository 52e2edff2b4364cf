namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// What changes between the gateway firmware generations the simulator offers, from the endpoint descriptions in
/// shared/reference/enphase/README.md: below 7 plain HTTP with Digest on protected paths; from 7 HTTPS with a JWT
/// bearer token (<c>&lt;web-tokens&gt;true</c> in /info); 8.x drops <c>operating</c> from the battery inventory and adds
/// <c>/ivp/pdm/device_data</c> and <c>/home</c>.
/// </summary>
internal sealed record GatewayGeneration(int Major, string Software, string PartNumber)
{
    public static GatewayGeneration Firmware5 { get; } = new(5, "D5.0.62", "800-00551-r02");

    public static GatewayGeneration Firmware7 { get; } = new(7, "D7.6.175", "800-00654-r08");

    public static GatewayGeneration Firmware8 { get; } = new(8, "D8.2.4345", "800-00649-r01");

    /// <summary>Token firmware: HTTPS and JWT bearer auth.</summary>
    public bool UsesTokens => Major >= 7;

    /// <summary>The version as clients report it: the leading letter of <c>&lt;software&gt;</c> dropped.</summary>
    public string Version => Software[1..];

    /// <summary>8.x battery inventory entries have no <c>operating</c> key.</summary>
    public bool ReportsOperating => Major < 8;

    public bool HasDeviceData => Major >= 8;

    public static GatewayGeneration? ForMajor(int major) => major switch
    {
        5 => Firmware5,
        7 => Firmware7,
        8 => Firmware8,
        _ => null,
    };

    /// <summary>The generation a captured <c>/info</c> software string implies (for replayed captures).</summary>
    public static GatewayGeneration FromSoftware(string software, string partNumber)
    {
        var version = software.Length > 1 && char.IsLetter(software[0]) ? software[1..] : software;
        var dot = version.IndexOf('.');
        var major = int.TryParse(dot < 0 ? version : version[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 0;
        return new GatewayGeneration(major, software, partNumber);
    }
}
