using Nexwatt.HardwareSim.Site;

namespace Nexwatt.HardwareSim.Faults;

/// <summary>The <c>--fault [DEVICE:]SPEC</c> flags of <c>serve</c> and <c>serve-map</c>: parsed once, applied per device.</summary>
internal static class FaultFlags
{
    public static List<FaultAssignment> Parse(IEnumerable<string> texts, List<string> errors)
    {
        var faults = new List<FaultAssignment>();
        foreach (var text in texts)
        {
            // "NAME:spec" when a ':' comes before any '=', otherwise the spec applies to every device.
            var colon = text.IndexOf(':');
            var eq = text.IndexOf('=');
            var named = colon > 0 && (eq < 0 || colon < eq);
            var name = named ? text[..colon] : null;
            if (FaultPlanParser.TryParse(named ? text[(colon + 1)..] : text, out var faultPlan, out var error))
                faults.Add(new FaultAssignment(name, faultPlan, $"--fault {text}"));
            else errors.Add($"--fault {text}: {error}");
        }
        return faults;
    }

    /// <summary>The plan of the device named <paramref name="deviceName"/>: later flags win; a named fault beats a site-wide one given earlier.</summary>
    public static FaultPlan For(string deviceName, IReadOnlyList<FaultAssignment> faults, FaultPlan plan)
    {
        foreach (var fault in faults)
            if (fault.DeviceName is null || string.Equals(fault.DeviceName, deviceName, StringComparison.OrdinalIgnoreCase))
                plan = fault.Plan;
        return plan;
    }
}
