using Microsoft.Extensions.Options;

namespace Nexwatt.EdgeAgent.Configuration;

/// <summary>
/// Checks the whole configuration at start so that an installer sees every mistake at once, with the key
/// that holds it, instead of a device that silently never reports.
/// </summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SiteId))
            problems.Add("Agent:SiteId is empty; every site needs its own id.");
        else if (!options.SiteId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            problems.Add($"Agent:SiteId '{options.SiteId}' may hold only letters, digits, '-', '_' and '.' (it becomes part of topic names).");
        if (options.DefaultPollInterval < TimeSpan.FromMilliseconds(100))
            problems.Add($"Agent:DefaultPollInterval {options.DefaultPollInterval} is below the 100 ms floor.");
        if (options.HealthLogInterval < TimeSpan.Zero)
            problems.Add($"Agent:HealthLogInterval {options.HealthLogInterval} is negative; use 00:00:00 to turn the health line off.");
        if (options.LogSummaryInterval < TimeSpan.Zero)
            problems.Add($"Agent:LogSummaryInterval {options.LogSummaryInterval} is negative; use 00:00:00 (or 0s) to turn the device summaries off.");
        if (options.SunSpecModelsFolder is { Length: > 0 } folder && !Directory.Exists(folder))
            problems.Add($"Agent:SunSpecModelsFolder '{folder}' does not exist.");
        RegisterMapOptionsChecks.Validate(options, problems);

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            var key = $"Agent:Devices:{i}";
            if (!DeviceTypes.All.Contains(device.Type, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{key}:Type '{device.Type}' is unknown; known types: {string.Join(", ", DeviceTypes.All)}.");
            if (device.Type.Equals(DeviceTypes.Enphase, StringComparison.OrdinalIgnoreCase)) { } // reached through Enphase:Url
            else if (device.IsSerial) { } // reached through Serial:Port; RtuOptionsChecks checks it
            else if (string.IsNullOrWhiteSpace(device.Host))
                problems.Add($"{key}:Host is empty.");
            else if (Uri.CheckHostName(device.Host) == UriHostNameType.Unknown)
                problems.Add($"{key}:Host '{device.Host}' is not a valid host name or IP address.");
            if (device.Port is < 1 or > 65535)
                problems.Add($"{key}:Port {device.Port} is out of range (1-65535).");
            // Unit 0 is the broadcast address; 248-255 are reserved, but TCP gateways commonly answer 255.
            if (device.UnitId is < 1 or > 255 || device.UnitId is > 247 and < 255)
                problems.Add($"{key}:UnitId {device.UnitId} is out of range (1-247, or 255 for a TCP device without a unit id).");
            if (device.PollInterval is { } interval && interval < TimeSpan.FromMilliseconds(100))
                problems.Add($"{key}:PollInterval {interval} is below the 100 ms floor.");
            if (device.Timeout <= TimeSpan.Zero || device.Timeout > TimeSpan.FromMinutes(1))
                problems.Add($"{key}:Timeout {device.Timeout} must be above zero and at most one minute.");
            if (device.SunSpecBaseAddress is < 0 or > 65535)
                problems.Add($"{key}:SunSpecBaseAddress {device.SunSpecBaseAddress} is out of range (0-65535).");
            if (device.Quirks.MaxRegistersPerRead is < 1 or > 125)
                problems.Add($"{key}:Quirks:MaxRegistersPerRead {device.Quirks.MaxRegistersPerRead} is out of range (1-125).");
            if (device.Quirks.WordOrder is not ("HighWordFirst" or "LowWordFirst"))
                problems.Add($"{key}:Quirks:WordOrder '{device.Quirks.WordOrder}' must be HighWordFirst or LowWordFirst.");
            if (device.Quirks.PauseAfterConnect < TimeSpan.Zero || device.Quirks.PauseBetweenRequests < TimeSpan.Zero)
                problems.Add($"{key}:Quirks pauses must not be negative.");
            RtuOptionsChecks.AddProblems(device, key, problems);
            foreach (var model in device.Models.Where(m => m is < 1 or > 65534))
                problems.Add($"{key}:Models holds {model}, which is not a SunSpec model id.");
            if (!ids.Add(device.EffectiveId))
                problems.Add($"{key} has the id '{device.EffectiveId}', which another device already uses.");
        }

        var discovery = options.Discovery;
        if (discovery.Enabled && !discovery.HasTargets)
            problems.Add("Agent:Discovery is enabled but Agent:Discovery:Ranges and Agent:Discovery:Serial are empty.");
        SerialDiscoveryChecks.AddProblems(options, problems);
        foreach (var range in discovery.Ranges)
            if (!AddressRange.TryParse(range, out _, out var error))
                problems.Add($"Agent:Discovery:Ranges: {error}.");
        foreach (var port in discovery.Ports.Where(p => p is < 1 or > 65535))
            problems.Add($"Agent:Discovery:Ports holds {port}, which is out of range (1-65535).");
        foreach (var unit in discovery.UnitIds.Where(u => u is < 1 or > 255))
            problems.Add($"Agent:Discovery:UnitIds holds {unit}, which is out of range (1-255).");
        if (discovery.ProbeTimeout <= TimeSpan.Zero)
            problems.Add("Agent:Discovery:ProbeTimeout must be above zero.");
        options.Buffer.Validate(problems);
        options.Dispatch.Validate(problems);
        if (!discovery.Enabled && options.Devices.Count == 0)
            problems.Add("No devices: list them under Agent:Devices or enable Agent:Discovery with address ranges or serial ports.");

        Uplink.UplinkOptionsChecks.AddProblems(options.Uplink, problems);
        Observability.ObservabilityOptionsChecks.AddProblems(options, problems);
        EnphaseOptionsChecks.AddProblems(options, problems);

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
