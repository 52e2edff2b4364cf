using System.Diagnostics.CodeAnalysis;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Registry;

/// <summary>The API spelling of <see cref="AssetType"/> and <see cref="AssetStatus"/> (snake_case).</summary>
internal static class AssetTypeNames
{
    public static string Name(AssetType type) => type switch
    {
        AssetType.Solar => "solar",
        AssetType.Battery => "battery",
        AssetType.SolarPlusStorage => "solar_plus_storage",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown asset type."),
    };

    public static string Name(AssetStatus status) => status == AssetStatus.Retired ? "retired" : "active";

    /// <summary>Accepts the API names and common synonyms, any case, with '-', '_' or ' ' between words.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out AssetType? type)
    {
        type = text?.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_') switch
        {
            "solar" or "pv" => AssetType.Solar,
            "battery" or "storage" or "bess" => AssetType.Battery,
            "solar_plus_storage" or "solar+storage" or "solarplusstorage" or "hybrid" => AssetType.SolarPlusStorage,
            _ => null,
        };
        return type is not null;
    }
}
