using System.Globalization;
using Nexwatt.HardwareSim.Site;

namespace Nexwatt.HardwareSim.Cli;

/// <summary>
/// Parses device flags. <c>--device TYPE[:NAME][@[HOST:]PORT][/UNIT]</c>, e.g. <c>inverter@127.0.0.1:5020/1</c>,
/// <c>battery:garage@5021</c>; <c>--inverter [[HOST:]PORT]</c> and <c>--battery [[HOST:]PORT]</c> are shorthands.
/// </summary>
internal static class DeviceSpecParser
{
    public static DeviceDraft? ParseDevice(string text, string origin, List<string> errors)
    {
        var spec = text.Trim();
        var at = spec.IndexOf('@');
        var head = at < 0 ? spec : spec[..at];
        var tail = at < 0 ? null : spec[(at + 1)..];

        int? unit = null;
        // A unit may follow the type when no endpoint is given: "battery/2".
        var unitSource = tail ?? head;
        var slash = unitSource.IndexOf('/');
        if (slash >= 0)
        {
            var unitText = unitSource[(slash + 1)..];
            if (!int.TryParse(unitText, NumberStyles.None, CultureInfo.InvariantCulture, out var u)) { errors.Add($"{origin}: unit id '{unitText}' is not a number."); return null; }
            unit = u;
            if (tail is null) head = head[..slash]; else tail = tail[..slash];
        }

        var colon = head.IndexOf(':');
        var typeText = colon < 0 ? head : head[..colon];
        var name = colon < 0 ? null : head[(colon + 1)..];
        if (!DeviceKinds.TryParse(typeText, out var kind)) { errors.Add($"{origin}: unknown device type '{typeText}' (known: {DeviceKinds.Names})."); return null; }
        if (name is { Length: 0 }) { errors.Add($"{origin}: empty device name after ':'."); return null; }

        string? host = null;
        int? port = null;
        if (tail is not null && !TryParseEndpoint(tail, out host, out port, out var error)) { errors.Add($"{origin}: {error}"); return null; }
        return new DeviceDraft { Kind = kind, Name = name, Host = host, Port = port, UnitId = unit, Origin = origin };
    }

    /// <summary><c>PORT</c> or <c>HOST:PORT</c>; an empty text leaves both unset.</summary>
    public static bool TryParseEndpoint(string text, out string? host, out int? port, out string error)
    {
        host = null;
        port = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) return true;
        var lastColon = text.LastIndexOf(':');
        var portText = lastColon < 0 ? text : text[(lastColon + 1)..];
        if (lastColon >= 0) host = text[..lastColon].Trim('[', ']');
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
        {
            error = $"bad port '{portText}' (expected 0..65535; 0 picks a free port).";
            return false;
        }
        port = p;
        return true;
    }
}
