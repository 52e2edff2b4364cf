using System.Text.Json;
using Nexwatt.Protocols.Enphase.Decoding;
using Nexwatt.Protocols.Enphase.Readings;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Enphase.Tests;

/// <summary>
/// One folder of the shared Enphase captures (pyenphase's fixtures) as request path → answer: the file name is the
/// path with "/ ? = &amp;" turned into "_", the status comes from the file's _log.json when there is one.
/// </summary>
internal sealed class CapturedGateway
{
    public static string FixturesRoot => Path.Combine(RepoPaths.SharedReference, "enphase", "fixtures");

    public static IEnumerable<object[]> Folders() =>
        System.IO.Directory.GetDirectories(FixturesRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(f => new object[] { f! });

    // The paths a client asks for, by capture file name.
    public static readonly IReadOnlyDictionary<string, string> PathsByFile = new Dictionary<string, string>
    {
        ["info"] = "/info",
        ["production"] = "/production",
        ["production.json"] = "/production.json",
        ["production.json_details_1"] = "/production.json?details=1",
        ["api_v1_production"] = "/api/v1/production",
        ["api_v1_production_inverters"] = "/api/v1/production/inverters",
        ["ivp_meters"] = "/ivp/meters",
        ["ivp_meters_readings"] = "/ivp/meters/readings",
        ["ivp_ensemble_inventory"] = "/ivp/ensemble/inventory",
        ["ivp_ensemble_power"] = "/ivp/ensemble/power",
        ["ivp_ensemble_secctrl"] = "/ivp/ensemble/secctrl",
        ["ivp_pdm_device_data"] = "/ivp/pdm/device_data",
        ["admin_lib_tariff"] = "/admin/lib/tariff",
    };

    public CapturedGateway(string folder)
    {
        Folder = folder;
        Directory = Path.Combine(FixturesRoot, folder);
        foreach (var (file, path) in PathsByFile)
        {
            var body = Path.Combine(Directory, file);
            if (File.Exists(body)) Responses[path] = new GatewayResponse(StatusOf(body), File.ReadAllBytes(body));
        }
        Info = GatewayInfo.Decode(Responses["/info"].Body);
    }

    public string Folder { get; }
    public string Directory { get; }
    public Dictionary<string, GatewayResponse> Responses { get; } = new(StringComparer.Ordinal);
    public GatewayInfo Info { get; }

    public static int StatusOf(string bodyFile)
    {
        var log = bodyFile + "_log.json";
        if (!File.Exists(log)) return 200;
        using var document = JsonDocument.Parse(File.ReadAllBytes(log));
        return document.RootElement.TryGetProperty("code", out var code) ? code.GetInt32() : 200;
    }

    public JsonElement Json(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, file)));
        return document.RootElement.Clone();
    }

    public bool Has(string file) => File.Exists(Path.Combine(Directory, file));
}
