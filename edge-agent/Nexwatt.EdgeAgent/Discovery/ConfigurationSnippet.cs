using System.Text.Json;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>The devices a scan found as an "Agent:Devices" block, ready to paste into /etc/nexwatt/agent.json.</summary>
internal static class ConfigurationSnippet
{
    public static string For(IReadOnlyList<FoundDevice> devices)
    {
        var entries = devices.Select(d => d.Map is { } map
            ? new Dictionary<string, object> { ["Id"] = $"{map}-{d.Host}-{d.UnitId}", ["Type"] = DeviceTypes.Map, ["Map"] = map, ["Host"] = d.Host, ["Port"] = d.Port, ["UnitId"] = d.UnitId }
            : new Dictionary<string, object> { ["Type"] = DeviceTypes.SunSpec, ["Host"] = d.Host, ["Port"] = d.Port, ["UnitId"] = d.UnitId, ["SunSpecBaseAddress"] = (int)d.BaseAddress });
        return JsonSerializer.Serialize(new { Agent = new { Devices = entries } }, new JsonSerializerOptions { WriteIndented = true });
    }
}
