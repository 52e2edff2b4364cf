using System.Text.Json;
using System.Xml.Linq;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// Serves a folder of captured gateway responses instead of the simulated site (<c>--captures DIR</c>), in the layout
/// of shared/reference/enphase: the file name is the request path without its leading '/' and with '/', '?', '=' and
/// '&amp;' replaced by '_'; <c>&lt;file&gt;_log.json</c> gives the captured HTTP code and content type. A query the
/// folder has no file for falls back to the path alone (captures of <c>/production.json</c> stand for
/// <c>?details=1</c>). The generation, and so the transport and auth, come from the captured <c>/info</c>.
/// A tariff PUT is kept in memory and served back, so a client's write-and-read-back works against captures too.
/// </summary>
internal sealed class CaptureReplayContent : IGatewayContent
{
    private readonly string _directory;
    private readonly object _gate = new();
    private string? _writtenTariff;

    public CaptureReplayContent(string directory)
    {
        _directory = directory;
        var infoFile = Path.Combine(directory, "info");
        if (!File.Exists(infoFile)) throw new FileNotFoundException($"The captures folder {directory} has no 'info' file (the /info response); it is needed to know the firmware.", infoFile);
        var device = XDocument.Parse(File.ReadAllText(infoFile)).Root?.Element("device")
            ?? throw new InvalidDataException($"{infoFile} has no <device> element.");
        Serial = device.Element("sn")?.Value ?? throw new InvalidDataException($"{infoFile} has no <device><sn>.");
        Generation = GatewayGeneration.FromSoftware(device.Element("software")?.Value ?? "", device.Element("pn")?.Value ?? "");
    }

    public GatewayGeneration Generation { get; }

    public string Serial { get; }

    public static string FileNameFor(string path, string query)
    {
        var target = path.TrimStart('/') + (string.IsNullOrEmpty(query) ? "" : query.StartsWith('?') ? query : "?" + query);
        return target.Replace('/', '_').Replace('?', '_').Replace('=', '_').Replace('&', '_');
    }

    public GatewayResponse? Answer(string method, string path, string query, string body)
    {
        if (path == "/admin/lib/tariff")
        {
            lock (_gate)
            {
                if (method == "PUT") { _writtenTariff = body; return GatewayResponse.Ok("{\"message\":\"success\"}"); }
                if (_writtenTariff is not null && method == "GET") return GatewayResponse.Ok(_writtenTariff);
            }
        }
        if (method != "GET") return null;
        var name = FileNameFor(path, query);
        if (!IsPlainName(name)) return null;
        var file = Path.Combine(_directory, name);
        if (!File.Exists(file) && !string.IsNullOrEmpty(query)) file = Path.Combine(_directory, FileNameFor(path, ""));
        if (!File.Exists(file)) return null;
        var text = File.ReadAllText(file);
        var (status, contentType) = ReadLog(file + "_log.json");
        return new GatewayResponse(status, contentType ?? Sniff(text), text);
    }

    // The file name comes from the request: refuse anything that could leave the folder.
    private static bool IsPlainName(string name) => name.Length > 0 && !name.Contains("..", StringComparison.Ordinal) && name.IndexOfAny(['\\', '/', '\0']) < 0 && !name.EndsWith("_log.json", StringComparison.Ordinal);

    private static (int Status, string? ContentType) ReadLog(string logFile)
    {
        if (!File.Exists(logFile)) return (200, null);
        using var log = JsonDocument.Parse(File.ReadAllText(logFile));
        var status = log.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var c) ? c : 200;
        string? contentType = null;
        if (log.RootElement.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            foreach (var header in headers.EnumerateObject())
                if (header.Name.Equals("content-type", StringComparison.OrdinalIgnoreCase)) contentType = header.Value.GetString();
        return (status, contentType);
    }

    private static string Sniff(string body)
    {
        var start = body.TrimStart();
        if (start.StartsWith('{') || start.StartsWith('[')) return GatewayResponse.Json;
        return start.StartsWith("<?xml", StringComparison.Ordinal) ? GatewayResponse.Xml : GatewayResponse.Html;
    }
}
