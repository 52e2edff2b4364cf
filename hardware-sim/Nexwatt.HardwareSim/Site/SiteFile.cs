using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexwatt.HardwareSim.Site;

/// <summary>The JSON site file, as written by a technician. Every field is optional; flags override it.</summary>
internal sealed class SiteFile
{
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? TimeZone { get; set; }
    public string? StartTime { get; set; }
    public double? ClockSpeed { get; set; }
    public int? Seed { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    public List<SiteFileDevice> Devices { get; set; } = [];
}

/// <summary>One device of the site file.</summary>
internal sealed class SiteFileDevice
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    public int? UnitId { get; set; }
    public double? RatedPowerW { get; set; }
    public int? Phases { get; set; }
    public double? CapacityWh { get; set; }
    public double? MaxChargeW { get; set; }
    public double? MaxDischargeW { get; set; }
    public double? InitialSocPct { get; set; }
    public string? SerialNumber { get; set; }
    /// <summary>Fault syntax as for <c>--fault</c>, e.g. "drop-every=10,slow=200".</summary>
    public string? Faults { get; set; }
}

// Unknown properties are errors, so a typo ("latitute") fails loudly instead of silently using a default.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SiteFile))]
[JsonSerializable(typeof(SiteFileDevice))]
internal sealed partial class SiteFileJsonContext : JsonSerializerContext;
