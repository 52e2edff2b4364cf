using System.Text.Json;

namespace Nexwatt.Protocols.RegisterMaps;

// The file as written (JSON, camelCase keys, see register-map.schema.json). Enumerations stay text here so that the
// parser can say which value is wrong and list the accepted ones, instead of a converter's generic message.
#pragma warning disable CA1812 // instantiated by System.Text.Json

internal sealed class MapFile
{
    public string? Schema { get; set; }
    public string? Name { get; set; }
    public string? Manufacturer { get; set; }
    public string? Description { get; set; }
    public string? Source { get; set; }
    public DefaultsFile? Defaults { get; set; }
    public LimitsFile? Limits { get; set; }
    public List<PointFile>? Points { get; set; }
    public List<IdentificationFile>? Identification { get; set; }
    public ControlFile? Control { get; set; }
}

internal sealed class DefaultsFile
{
    public int? Port { get; set; }
    public int? UnitId { get; set; }
    public string? WordOrder { get; set; }
    public string? ByteOrder { get; set; }
}

internal sealed class LimitsFile
{
    public int? MaxRegistersPerRead { get; set; }
    public int? MaxGap { get; set; }
}

internal sealed class PointFile
{
    public string? Name { get; set; }
    public int? Address { get; set; }
    public string? Kind { get; set; }
    public string? Type { get; set; }
    public int? Length { get; set; }
    public string? WordOrder { get; set; }
    public string? ByteOrder { get; set; }
    public double? Scale { get; set; }
    public string? ScaleRegister { get; set; }
    public string? Unit { get; set; }
    public List<JsonElement>? NotAvailable { get; set; }
    public string? Canonical { get; set; }
    public int? Sign { get; set; }
    public string? SubDevice { get; set; }
    public int? UnitId { get; set; }
    public JsonElement? BitMask { get; set; }
    public bool? Writable { get; set; }
    public string? Comment { get; set; }
}

internal sealed class IdentificationFile
{
    public string? Point { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("equals")]
    public string? EqualTo { get; set; }
    public string? StartsWith { get; set; }
    public double? Minimum { get; set; }
    public double? Maximum { get; set; }
    public bool? NonEmpty { get; set; }
}

internal sealed class ControlFile
{
    public double? RatingW { get; set; }
    public string? RatingPoint { get; set; }
    public string? StateOfChargePoint { get; set; }
    public string? ReservePoint { get; set; }
    public string? MeasuredPowerPoint { get; set; }
    public List<WriteFile>? Charge { get; set; }
    public List<WriteFile>? Discharge { get; set; }
    public List<WriteFile>? Stop { get; set; }
    public string? Revert { get; set; }
    public double? ReassertSeconds { get; set; }
}

internal sealed class WriteFile
{
    public string? Point { get; set; }
    public JsonElement? Value { get; set; }
}
