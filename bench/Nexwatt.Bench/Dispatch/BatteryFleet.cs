using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Dispatch;

/// <summary>One simulated battery: its name and where it listens.</summary>
internal sealed record BatteryEndpoint(string Name, string Host, int Port);

/// <summary>
/// N hardware-sim batteries (20 kWh, 5 kW, state of charge spread 50–90 %) in one simulator process, each on its own
/// loopback port, so that every simulated site reaches its own device through its own Modbus connection.
/// </summary>
internal sealed partial class BatteryFleet : IAsyncDisposable
{
    private readonly PeerProcess _simulator;

    private BatteryFleet(PeerProcess simulator, IReadOnlyList<BatteryEndpoint> batteries)
    {
        _simulator = simulator;
        Batteries = batteries;
    }

    public IReadOnlyList<BatteryEndpoint> Batteries { get; }

    [GeneratedRegex(@"^READY battery unit=\d+ endpoint=(?<host>[\d.]+):(?<port>\d+) .*name=(?<name>\S+)", RegexOptions.Multiline)]
    private static partial Regex Ready();

    public static async Task<BatteryFleet> StartAsync(int count, string directory, CancellationToken cancellationToken)
    {
        var devices = Enumerable.Range(0, count).Select(i => new
        {
            type = "battery", name = Name(i), host = "127.0.0.1", port = 0, unitId = 1,
            capacityWh = 20000, maxChargeW = 5000, maxDischargeW = 5000, initialSocPct = 50 + i * 37 % 41,
        });
        var siteFile = Path.Combine(directory, "batteries.json");
        await File.WriteAllTextAsync(siteFile, JsonSerializer.Serialize(new { seed = 3, devices }), cancellationToken).ConfigureAwait(false);
        var simulator = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve", "--site", siteFile, "--no-table"]);
        try
        {
            await simulator.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await simulator.DisposeAsync().ConfigureAwait(false);
            throw new BenchException($"hardware-sim did not serve {count} batteries: {ex.Message}");
        }
        var batteries = Ready().Matches(simulator.Log.Replace("\r", "", StringComparison.Ordinal))
            .Select(m => new BatteryEndpoint(m.Groups["name"].Value, m.Groups["host"].Value, int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)))
            .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        if (batteries.Count != count) throw new BenchException($"hardware-sim announced {batteries.Count} batteries, expected {count}");
        return new BatteryFleet(simulator, batteries);
    }

    public static string Name(int i) => $"bat-{i:0000}";

    public ValueTask DisposeAsync() => _simulator.DisposeAsync();
}
