using System.Text.RegularExpressions;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>hardware-sim's simulated Enphase IQ Gateway as its own process on a free loopback port.</summary>
internal sealed partial class SimulatedEnphaseGateway : IAsyncDisposable
{
    private SimulatedEnphaseGateway(PeerProcess process, Uri endpoint, string firmware, string serial, string? fingerprint)
    {
        Process = process;
        Endpoint = endpoint;
        Firmware = firmware;
        Serial = serial;
        Fingerprint = fingerprint;
    }

    public PeerProcess Process { get; }
    public Uri Endpoint { get; }
    public string Firmware { get; }
    public string Serial { get; }
    /// <summary>SHA-256 of the gateway's certificate (firmware 7 and later), as announced on its READY line.</summary>
    public string? Fingerprint { get; }

    /// <summary>Starts <c>hardware-sim serve --enphase 0</c> with the extra arguments and waits for <c>READY all</c>.</summary>
    public static async Task<SimulatedEnphaseGateway> StartAsync(params string[] arguments)
    {
        var process = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", new[] { "serve", "--enphase", "0" }.Concat(arguments));
        try
        {
            await process.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var match = process.Log.Split('\n').Select(l => ReadyLine().Match(l)).First(m => m.Success);
            return new SimulatedEnphaseGateway(process, new Uri(match.Groups["endpoint"].Value), match.Groups["firmware"].Value, match.Groups["serial"].Value,
                match.Groups["fingerprint"].Success ? match.Groups["fingerprint"].Value : null);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"^READY enphase endpoint=(?<endpoint>\S+) firmware=(?<firmware>\S+) serial=(?<serial>\d+)(?: auth=\S+)?(?: fingerprint=(?<fingerprint>[0-9A-F]+))?")]
    private static partial Regex ReadyLine();
}
