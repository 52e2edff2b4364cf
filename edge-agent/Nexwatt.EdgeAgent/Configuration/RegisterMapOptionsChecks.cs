using Nexwatt.EdgeAgent.RegisterMaps;
using Nexwatt.Protocols.RegisterMaps;

namespace Nexwatt.EdgeAgent.Configuration;

/// <summary>Start-time checks of register-map devices: the folder loads, every map named exists, maps go with type "map" only.</summary>
internal static class RegisterMapOptionsChecks
{
    public static void Validate(AgentOptions options, List<string> problems)
    {
        RegisterMapCatalog catalog;
        try
        {
            catalog = AgentRegisterMaps.Load(options.RegisterMapsFolder);
        }
        catch (Exception ex) when (ex is RegisterMapException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"Agent:RegisterMapsFolder: {ex.Message}");
            return;
        }
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            var isMap = string.Equals(device.Type, DeviceTypes.Map, StringComparison.OrdinalIgnoreCase);
            if (isMap && string.IsNullOrWhiteSpace(device.Map))
                problems.Add($"Agent:Devices:{i}:Map is empty; a device of type 'map' names its register map, one of: {Known(catalog)}.");
            else if (isMap && catalog.Find(device.Map!) is null)
                problems.Add($"Agent:Devices:{i}:Map '{device.Map}' is unknown; known maps: {Known(catalog)} (add your own to Agent:RegisterMapsFolder).");
            else if (!isMap && !string.IsNullOrWhiteSpace(device.Map))
                problems.Add($"Agent:Devices:{i}:Map is set but Type is '{device.Type}'; set Type to 'map' to read the device through it.");
        }
    }

    private static string Known(RegisterMapCatalog catalog) => string.Join(", ", catalog.Maps.Select(m => m.Name).Order(StringComparer.Ordinal));
}
