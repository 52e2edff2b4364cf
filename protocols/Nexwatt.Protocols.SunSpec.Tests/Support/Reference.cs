using Nexwatt.Testing;

namespace Nexwatt.Protocols.SunSpec.Tests.Support;

/// <summary>The third-party SunSpec reference data, read in place (never copied into the repository).</summary>
internal static class Reference
{
    public static string Models => Path.Combine(RepoPaths.SharedReference, "sunspec", "models");
    public static string Devices => Path.Combine(RepoPaths.SharedReference, "sunspec", "devices");
    public static string ShippedDefinitions => Path.Combine(RepoPaths.Root, "protocols", "Nexwatt.Protocols.SunSpec", "Definitions");

    public static readonly ushort[] ShippedModelIds =
        [1, 101, 102, 103, 111, 112, 113, 120, 121, 122, 123, 124, 126, 160,
         701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713, 714, 715, 802, 803, 804, 805];

    private static readonly Lazy<SunSpecModelCatalog> OfficialCatalog = new(() => SunSpecModelCatalog.Empty.LoadFolder(Models));

    /// <summary>The official definitions, parsed.</summary>
    public static SunSpecModelCatalog Official => OfficialCatalog.Value;
}
