using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.RegisterMaps;

/// <summary>The register maps shipped beside the agent (RegisterMaps/*.json), then the user's folder on top.</summary>
internal static class AgentRegisterMaps
{
    public static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "RegisterMaps");

    /// <exception cref="RegisterMapException">A map file is malformed (the message points at the line).</exception>
    /// <exception cref="DirectoryNotFoundException">The user folder does not exist.</exception>
    public static RegisterMapCatalog Load(string? userFolder)
    {
        var catalog = RegisterMapCatalog.Empty.LoadFolder(ShippedFolder, CanonicalPoints.Units);
        return string.IsNullOrWhiteSpace(userFolder) ? catalog : catalog.LoadFolder(userFolder, CanonicalPoints.Units);
    }
}
