using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Simulation;

namespace Nexwatt.HardwareSim.Hosting;

/// <summary>
/// Runtime commands on standard input, one per line: <c>fault NAME|all SPEC</c> replaces a device's fault
/// plan (same syntax as <c>--fault</c>, <c>none</c> clears it). Replies go to the output as FAULT/ERROR lines.
/// </summary>
internal sealed class ConsoleCommands(SiteSimulation simulation, TextWriter output)
{
    public string Execute(string line)
    {
        var parts = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return "";
        if (parts[0] != "fault" || parts.Length < 3) return "ERROR usage: fault NAME|all SPEC (e.g. fault inverter-1 drop-every=5,slow=200; fault all none)";
        if (!FaultPlanParser.TryParse(parts[2], out var plan, out var error)) return $"ERROR {error}";
        var targets = parts[1] == "all" ? simulation.Devices : simulation.Find(parts[1]) is { } one ? [one] : [];
        if (targets.Count == 0) return $"ERROR no device named '{parts[1]}' (devices: {string.Join(", ", simulation.Devices.Select(d => d.Name))})";
        foreach (var device in targets) device.Faults.Plan = plan;
        return $"FAULT {string.Join(',', targets.Select(t => t.Name))} {plan}";
    }

    /// <summary>Reads commands until the input ends or the run stops.</summary>
    public async Task RunAsync(TextReader input, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null) return;
                var reply = Execute(line);
                if (reply.Length == 0) continue;
                await output.WriteLineAsync(reply).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
