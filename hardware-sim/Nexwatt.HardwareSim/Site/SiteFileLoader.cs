using System.Text.Json;
using Nexwatt.HardwareSim.Faults;

namespace Nexwatt.HardwareSim.Site;

/// <summary>Reads a site file and turns its devices into drafts; problems go to the error list.</summary>
internal static class SiteFileLoader
{
    public static SiteFile? Load(string path, List<string> errors)
    {
        try
        {
            var text = File.ReadAllText(path);
            var site = JsonSerializer.Deserialize(text, SiteFileJsonContext.Default.SiteFile);
            if (site is null) errors.Add($"{path}: the file is empty (expected a JSON object).");
            return site;
        }
        catch (JsonException ex)
        {
            errors.Add($"{path}: {Describe(ex)}");
        }
        catch (IOException ex)
        {
            errors.Add($"{path}: cannot read the site file: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            errors.Add($"{path}: cannot read the site file: {ex.Message}");
        }
        return null;
    }

    /// <summary>Line, column and reason; for a property no field has (a typo), the closest known one.</summary>
    internal static string Describe(JsonException ex)
    {
        var where = ex.LineNumber is { } line ? $"line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: " : "";
        var jsonPath = ex.Path ?? "";
        var name = jsonPath[(jsonPath.LastIndexOf('.') + 1)..];
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal) && name.Length > 0)
        {
            var type = jsonPath.Contains("devices[", StringComparison.OrdinalIgnoreCase)
                ? SiteFileJsonContext.Default.SiteFileDevice : (System.Text.Json.Serialization.Metadata.JsonTypeInfo)SiteFileJsonContext.Default.SiteFile;
            var closest = Nexwatt.Configuration.ClosestName.Find(name, type.Properties.Select(p => p.Name));
            return $"{where}unknown property '{jsonPath.TrimStart('$', '.')}'" + (closest is null ? "." : $" (did you mean '{closest}'?).");
        }
        if (ex.Message.Contains("could not be converted to", StringComparison.Ordinal) && name.Length > 0)
        {
            var form = ex.Message.Contains("Int32", StringComparison.Ordinal) ? "a whole number"
                : ex.Message.Contains("Double", StringComparison.Ordinal) ? "a number" : "text in quotes";
            return $"{where}'{jsonPath.TrimStart('$', '.')}' must be {form}.";
        }
        var reason = System.Text.RegularExpressions.Regex.Replace(ex.Message, @"\s*Path: .*$", "").Trim();
        return $"{where}invalid site file: {reason}";
    }

    public static List<DeviceDraft> ToDrafts(SiteFile site, string path, List<string> errors)
    {
        var drafts = new List<DeviceDraft>();
        for (var i = 0; i < site.Devices.Count; i++)
        {
            var d = site.Devices[i];
            var origin = $"{Path.GetFileName(path)} devices[{i}]";
            if (d.Type is null || !DeviceKinds.TryParse(d.Type, out var kind))
            {
                errors.Add($"{origin}: unknown device type '{d.Type}' (known: {DeviceKinds.Names}).");
                continue;
            }
            FaultPlan? faults = null;
            if (d.Faults is not null)
            {
                if (FaultPlanParser.TryParse(d.Faults, out var plan, out var error)) faults = plan;
                else errors.Add($"{origin}: faults: {error}");
            }
            drafts.Add(new DeviceDraft
            {
                Kind = kind, Name = d.Name, Host = d.Host ?? site.Host, Port = d.Port ?? site.Port, UnitId = d.UnitId,
                RatedPowerWatts = d.RatedPowerW, Phases = d.Phases, CapacityWattHours = d.CapacityWh,
                MaxChargeWatts = d.MaxChargeW, MaxDischargeWatts = d.MaxDischargeW, InitialSocPercent = d.InitialSocPct,
                SerialNumber = d.SerialNumber, Faults = faults, Origin = origin,
            });
        }
        return drafts;
    }
}
