using System.Text.RegularExpressions;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>hardware-sim started as its own process on free loopback ports, with the endpoints it announced.</summary>
internal sealed partial class SimulatedSite : IAsyncDisposable
{
    private SimulatedSite(PeerProcess process, IReadOnlyList<(string Kind, string Host, int Port, int Unit)> devices)
    {
        Process = process;
        Devices = devices;
    }

    public PeerProcess Process { get; }
    public IReadOnlyList<(string Kind, string Host, int Port, int Unit)> Devices { get; }

    public (string Host, int Port, int Unit) Single(string kind) => Devices.Single(d => d.Kind == kind) is var d ? (d.Host, d.Port, d.Unit) : default;

    /// <summary>Starts hardware-sim with the given device flags (each on 127.0.0.1:0) and waits for every READY line.</summary>
    public static async Task<SimulatedSite> StartAsync(params string[] arguments)
    {
        var process = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            new[] { "serve", "--no-table", "--seed", "7" }.Concat(arguments));
        try
        {
            await process.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var devices = process.Log.Split('\n')
                .Select(l => ReadyLine().Match(l))
                .Where(m => m.Success)
                .Select(m => (m.Groups["kind"].Value, m.Groups["host"].Value, int.Parse(m.Groups["port"].Value), int.Parse(m.Groups["unit"].Value)))
                .ToList();
            return new SimulatedSite(process, devices);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"^READY (?<kind>\w+)\b.*\bunit=(?<unit>\d+).*\bendpoint=(?<host>[\d.]+):(?<port>\d+)")]
    private static partial Regex ReadyLine();
}
