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
            errors.Add($"{path}: invalid site file: {ex.Message}");
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
