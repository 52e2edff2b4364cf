using System.CommandLine;
using System.Globalization;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Site;

namespace Nexwatt.HardwareSim.Cli;

/// <summary>Combines the site file and the flags into a validated plan; flags win over the site file.</summary>
internal static class ServePlanBinder
{
    public const double DefaultLatitude = 52.0;
    public const double DefaultLongitude = 5.0;

    public static SimulationPlan? Bind(ParseResult parse, ServeOptions options, List<string> errors)
    {
        SiteFile? site = null;
        var drafts = new List<DeviceDraft>();
        if (parse.GetValue(options.SiteFile) is { } file)
        {
            site = SiteFileLoader.Load(file.FullName, errors);
            if (site is not null) drafts.AddRange(SiteFileLoader.ToDrafts(site, file.FullName, errors));
        }

        var singlePhase = parse.GetValue(options.SinglePhase);
        AddShorthand(parse, options.Inverter, DeviceKind.Inverter, drafts, errors, singlePhase);
        AddShorthand(parse, options.Battery, DeviceKind.Battery, drafts, errors, false);
        foreach (var text in parse.GetValue(options.Device) ?? [])
        {
            var draft = DeviceSpecParser.ParseDevice(text, $"--device {text}", errors);
            if (draft is not null) drafts.Add(draft.Kind == DeviceKind.Inverter && singlePhase ? draft with { Phases = 1 } : draft);
        }

        var faults = FaultFlags.Parse(parse.GetValue(options.Fault) ?? [], errors);

        var timeZone = ResolveTimeZone(parse.GetValue(options.TimeZone) ?? site?.TimeZone, errors);
        var startText = parse.GetValue(options.StartTime) ?? site?.StartTime;
        DateTimeOffset? start = null;
        if (startText is not null) start = ParseStart(startText, timeZone, errors);

        var settings = new SiteSettings(
            parse.GetValue(options.Latitude) ?? site?.Latitude ?? DefaultLatitude,
            parse.GetValue(options.Longitude) ?? site?.Longitude ?? DefaultLongitude,
            timeZone,
            start,
            parse.GetValue(options.ClockSpeed) ?? site?.ClockSpeed ?? 1.0,
            parse.GetValue(options.Seed) ?? site?.Seed ?? 1,
            parse.GetValue(options.NoTable));
        var host = parse.GetValue(options.Host) ?? site?.Host ?? SimulationPlanner.DefaultHost;
        var port = parse.GetValue(options.Port) ?? site?.Port ?? SimulationPlanner.DefaultPort;
        var plan = SimulationPlanner.Build(settings, host, port, drafts, faults, errors);
        return errors.Count == 0 ? plan : null;
    }

    private static void AddShorthand(ParseResult parse, Option<string[]> option, DeviceKind kind, List<DeviceDraft> drafts, List<string> errors, bool singlePhase)
    {
        // "--inverter" with no value still has to produce a device, so count the option's occurrences.
        var result = parse.GetResult(option);
        if (result is null) return;
        var values = result.Tokens.Select(t => t.Value).ToList();
        var occurrences = Math.Max(values.Count, result.IdentifierTokenCount);
        for (var i = 0; i < occurrences; i++)
        {
            var text = i < values.Count ? values[i] : "";
            var origin = $"{option.Name} {text}".TrimEnd();
            if (!DeviceSpecParser.TryParseEndpoint(text, out var host, out var port, out var error)) { errors.Add($"{origin}: {error}"); continue; }
            drafts.Add(new DeviceDraft { Kind = kind, Host = host, Port = port, Phases = kind == DeviceKind.Inverter && singlePhase ? 1 : null, Origin = origin });
        }
    }

    private static TimeZoneInfo ResolveTimeZone(string? id, List<string> errors)
    {
        if (string.IsNullOrEmpty(id)) return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { errors.Add($"unknown time zone '{id}' (use an IANA id such as Europe/Amsterdam)."); }
        catch (InvalidTimeZoneException) { errors.Add($"time zone '{id}' is invalid on this system."); }
        return TimeZoneInfo.Utc;
    }

    private static DateTimeOffset? ParseStart(string text, TimeZoneInfo zone, List<string> errors)
    {
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local)
            && !HasOffset(text))
            return new DateTimeOffset(local, zone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var instant)) return instant;
        errors.Add($"--start-time '{text}' is not an ISO 8601 date and time (e.g. 2026-06-21T06:00 or 2026-06-21T06:00+02:00).");
        return null;
    }

    private static bool HasOffset(string text)
    {
        var t = text.Trim();
        if (t.EndsWith('Z') || t.EndsWith('z')) return true;
        var timePart = t.IndexOf('T') is var ti and >= 0 ? t[ti..] : t.Length > 10 ? t[10..] : "";
        return timePart.Contains('+') || timePart.Contains('-');
    }
}
