using System.Globalization;
using System.Net;
using Nexwatt.HardwareSim.Faults;

namespace Nexwatt.HardwareSim.Site;

/// <summary>A fault plan from a flag, for one device by name or for every device (null name).</summary>
internal sealed record FaultAssignment(string? DeviceName, FaultPlan Plan, string Origin);

/// <summary>
/// Turns drafts into a plan: names, listeners and unit ids, and every validation a user can get wrong,
/// reported together so one run shows all the mistakes.
/// Listener rule: devices with the same host and non-zero port share a listener (distinct unit ids);
/// an explicit port 0 gets an ephemeral listener of its own; devices without a port use the default
/// port, and when that is 0 they share one ephemeral listener.
/// </summary>
internal static class SimulationPlanner
{
    public const int DefaultPort = 5020;
    public const string DefaultHost = "127.0.0.1";

    public static SimulationPlan Build(SiteSettings site, string defaultHost, int defaultPort, IReadOnlyList<DeviceDraft> drafts,
        IReadOnlyList<FaultAssignment> faults, List<string> errors)
    {
        if (site.LatitudeDegrees is < -90 or > 90 || double.IsNaN(site.LatitudeDegrees)) errors.Add($"latitude {site.LatitudeDegrees} is outside -90..90.");
        if (site.LongitudeDegrees is < -180 or > 180 || double.IsNaN(site.LongitudeDegrees)) errors.Add($"longitude {site.LongitudeDegrees} is outside -180..180.");
        if (!(site.ClockSpeed > 0) || site.ClockSpeed > 1_000_000) errors.Add($"clock speed {site.ClockSpeed} must be above 0 and at most 1000000.");
        if (defaultPort is < 0 or > 65535) errors.Add($"port {defaultPort} is outside 0..65535.");
        if (!IPAddress.TryParse(defaultHost, out var defaultAddress)) errors.Add($"host '{defaultHost}' is not an IP address.");
        if (drafts.Count == 0) errors.Add("no devices: give --inverter, --battery, --device or --site.");

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var perKind = new Dictionary<DeviceKind, int>();
        var planned = new List<(DevicePlan Device, string Key, bool ExplicitUnit)>();
        var ownListener = 0;
        foreach (var draft in drafts)
        {
            perKind[draft.Kind] = perKind.GetValueOrDefault(draft.Kind) + 1;
            var name = draft.Name ?? $"{draft.Kind.ToName()}-{perKind[draft.Kind]}";
            if (!names.Add(name)) errors.Add($"{draft.Origin}: duplicate device name '{name}'.");
            if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c is ':' or '=' or ',')) errors.Add($"{draft.Origin}: device name '{name}' may not contain spaces, ':', '=' or ','.");

            var address = defaultAddress ?? IPAddress.Any;
            if (draft.Host is not null && !IPAddress.TryParse(draft.Host, out address!)) { errors.Add($"{draft.Origin}: host '{draft.Host}' is not an IP address."); address = IPAddress.Any; }
            var port = draft.Port ?? defaultPort;
            if (port is < 0 or > 65535) { errors.Add($"{draft.Origin}: port {port} is outside 0..65535."); port = 0; }
            if (draft.UnitId is { } u && u is < 1 or > 247) errors.Add($"{draft.Origin}: unit id {u} is outside 1..247.");
            var key = port != 0 ? $"{address}:{port}" : draft.Port is null ? $"{address}:0:default" : $"{address}:0:own{++ownListener}";

            var plan = ApplyDefaults(draft, name, new IPEndPoint(address, port), errors);
            planned.Add((plan with { UnitId = (byte)Math.Clamp(draft.UnitId ?? 0, 0, 247) }, key, draft.UnitId is not null));
        }

        var listeners = new List<ListenerPlan>();
        foreach (var group in planned.GroupBy(p => p.Key))
        {
            var taken = new HashSet<byte>();
            foreach (var (device, _, explicitUnit) in group.Where(g => g.ExplicitUnit))
                if (!taken.Add(device.UnitId)) errors.Add($"unit id {device.UnitId} is used twice on {device.Endpoint} ('{device.Name}').");
            var devices = new List<DevicePlan>();
            byte next = 1;
            foreach (var (device, _, explicitUnit) in group)
            {
                if (explicitUnit) { devices.Add(device); continue; }
                while (taken.Contains(next)) next++;
                taken.Add(next);
                devices.Add(device with { UnitId = next });
            }
            listeners.Add(new ListenerPlan(group.First().Device.Endpoint, devices));
        }

        foreach (var fault in faults)
        {
            if (fault.DeviceName is null) continue;
            if (!names.Contains(fault.DeviceName)) errors.Add($"{fault.Origin}: no device named '{fault.DeviceName}' (devices: {string.Join(", ", names)}).");
        }
        listeners = listeners.Select(l => l with { Devices = l.Devices.Select(d => WithFaults(d, faults)).ToList() }).ToList();
        return new SimulationPlan(site, listeners);
    }

    private static DevicePlan WithFaults(DevicePlan device, IReadOnlyList<FaultAssignment> faults)
        => device with { Faults = FaultFlags.For(device.Name, faults, device.Faults) };

    private static DevicePlan ApplyDefaults(DeviceDraft draft, string name, IPEndPoint endpoint, List<string> errors)
    {
        void Positive(double? value, string what)
        {
            if (value is { } v && !(v > 0 && v < 1e9)) errors.Add($"{draft.Origin}: {what} {v.ToString(CultureInfo.InvariantCulture)} must be positive.");
        }
        Positive(draft.RatedPowerWatts, "ratedPowerW");
        Positive(draft.CapacityWattHours, "capacityWh");
        Positive(draft.MaxChargeWatts, "maxChargeW");
        Positive(draft.MaxDischargeWatts, "maxDischargeW");
        if (draft.Phases is { } ph && ph is not (1 or 3)) errors.Add($"{draft.Origin}: phases must be 1 or 3, not {ph}.");
        if (draft.InitialSocPercent is { } soc && soc is < 0 or > 100) errors.Add($"{draft.Origin}: initialSocPct {soc} is outside 0..100.");
        if (draft.Kind == DeviceKind.Inverter && (draft.CapacityWattHours ?? draft.MaxChargeWatts ?? draft.MaxDischargeWatts ?? draft.InitialSocPercent) is not null)
            errors.Add($"{draft.Origin}: an inverter takes no battery settings (capacityWh, maxChargeW, maxDischargeW, initialSocPct).");

        var serial = draft.SerialNumber ?? $"SIM-{draft.Kind.ToName().ToUpperInvariant()}-{DeviceFaults.DeriveSeed(0, name) & 0xFFFF:X4}";
        if (serial.Length > 32) errors.Add($"{draft.Origin}: serialNumber is longer than 32 characters.");
        return draft.Kind == DeviceKind.Inverter
            ? new DevicePlan
            {
                Name = name, Kind = draft.Kind, UnitId = 0, Endpoint = endpoint, SerialNumber = serial,
                RatedPowerWatts = draft.RatedPowerWatts ?? 10_000, Phases = draft.Phases ?? 3,
                Faults = draft.Faults ?? FaultPlan.None,
            }
            : new DevicePlan
            {
                Name = name, Kind = draft.Kind, UnitId = 0, Endpoint = endpoint, SerialNumber = serial,
                RatedPowerWatts = draft.RatedPowerWatts ?? 5_000, Phases = draft.Phases ?? 3,
                CapacityWattHours = draft.CapacityWattHours ?? 10_000,
                MaxChargeWatts = draft.MaxChargeWatts ?? draft.RatedPowerWatts ?? 5_000,
                MaxDischargeWatts = draft.MaxDischargeWatts ?? draft.RatedPowerWatts ?? 5_000,
                InitialSocPercent = draft.InitialSocPercent ?? 50,
                Faults = draft.Faults ?? FaultPlan.None,
            };
    }
}
