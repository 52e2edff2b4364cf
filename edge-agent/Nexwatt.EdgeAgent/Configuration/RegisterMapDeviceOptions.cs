namespace Nexwatt.EdgeAgent.Configuration;

public sealed partial class AgentOptions
{
    /// <summary>A folder of the user's own register maps (NAME.json), added to and replacing the shipped ones by name.</summary>
    public string? RegisterMapsFolder { get; set; }
}

public sealed partial class DeviceOptions
{
    /// <summary>For Type "map": the register map's name, e.g. "huawei-sun2000" (shipped or in Agent:RegisterMapsFolder).</summary>
    public string? Map { get; set; }
}
