using System.Diagnostics;
using System.Globalization;
using Nexwatt.Bench.Harness;
using Nexwatt.Bench.Modbus;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Scan;

/// <summary>
/// `nexwatt-bench scan`: a full SunSpec scan of each hardware-sim device with our stack — discovery (marker and
/// model chain) then a read of every known model — timed over several rounds, each on a fresh connection.
/// </summary>
internal static class ScanBenchmark
{
    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var simulator = arguments.SimulatorPath ?? FindSimulator();
        if (!File.Exists(simulator)) throw new BenchException($"hardware-sim not found at {simulator}; build it (dotnet build hardware-sim/Nexwatt.HardwareSim -c Release) or pass --sim PATH.");

        string[] simulatorArguments = [simulator, "serve", "--inverter", "127.0.0.1:0", "--battery", "127.0.0.1:0", "--no-table"];
        Progress.Step($"scan: starting {PeerProcess.DotnetHost} {string.Join(' ', simulatorArguments)}");
        await using var sim = PeerProcess.Start(PeerProcess.DotnetHost, simulatorArguments);
        var devices = await WaitForDevicesAsync(sim, 2, cancellationToken).ConfigureAwait(false);

        var table = new TextTable("device", "endpoint", "models", "registers", "requests (discovery + reads)", "first scan ms", "scan ms (median)", "min / max ms");
        foreach (var device in devices)
        {
            Progress.Step($"scan: {device.Name} at {device.Host}:{device.Port} unit {device.UnitId}: 1 cold scan + {arguments.ScanRounds} rounds");
            var cold = await ScanOnceAsync(device, cancellationToken).ConfigureAwait(false);
            var rounds = new List<ScanResult>();
            for (var i = 0; i < arguments.ScanRounds; i++)
                rounds.Add(await ScanOnceAsync(device, cancellationToken).ConfigureAwait(false));
            Progress.Step($"  cold {cold.Elapsed.TotalMilliseconds:0.0} ms, median {Statistics.Median(rounds.Select(r => r.Elapsed.TotalMilliseconds)):0.00} ms, {rounds[^1].DiscoveryRequests} + {rounds[^1].ReadRequests} requests");
            var last = rounds[^1];
            table.Add(
                device.Name,
                $"{device.Host}:{device.Port}/{device.UnitId}",
                $"{last.KnownModels}/{last.Models}",
                last.RegistersRead.ToString(CultureInfo.InvariantCulture),
                $"{last.DiscoveryRequests + last.ReadRequests} ({last.DiscoveryRequests} + {last.ReadRequests})",
                cold.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture),
                Statistics.Median(rounds.Select(r => r.Elapsed.TotalMilliseconds)).ToString("0.00", CultureInfo.InvariantCulture),
                $"{rounds.Min(r => r.Elapsed.TotalMilliseconds).ToString("0.00", CultureInfo.InvariantCulture)} / {rounds.Max(r => r.Elapsed.TotalMilliseconds).ToString("0.00", CultureInfo.InvariantCulture)}");
        }

        Console.WriteLine();
        Console.WriteLine("SunSpec scan of hardware-sim devices: discovery (SunS marker + model chain) then a read of every known model,");
        Console.WriteLine($"each scan on a fresh connection (connect included); first scan = cold (JIT, model catalog load), then {arguments.ScanRounds} rounds, median");
        Console.WriteLine($"models = known/total; registers = registers read by discovery and model reads; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine();
        Console.Write(table);
        return true;
    }

    private sealed record ScanResult(TimeSpan Elapsed, int Models, int KnownModels, int DiscoveryRequests, int ReadRequests, long RegistersRead);

    private static async Task<ScanResult> ScanOnceAsync(SimulatedDevice device, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var link = NexwattLink.Open(device.Host, device.Port, maxInFlight: 1);
        var counting = new CountingModbusClient(link.Client);
        var map = await new SunSpecDiscovery(counting).DiscoverAsync(device.UnitId, cancellationToken).ConfigureAwait(false)
            ?? throw new BenchException($"{device.Name} at {device.Host}:{device.Port} unit {device.UnitId}: no SunSpec marker found.");
        var discoveryCalls = counting.WireRequests;
        var blocks = await SunSpecDeviceReader.ReadAllAsync(counting, map, cancellationToken: cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (discoveryCalls != map.RequestCount)
            Progress.Step($"  note: discovery reports {map.RequestCount} requests, the counting client saw {discoveryCalls} on the wire");
        return new ScanResult(elapsed, map.Models.Count, blocks.Count, map.RequestCount, counting.WireRequests - discoveryCalls, counting.RegistersRead);
    }

    private static async Task<List<SimulatedDevice>> WaitForDevicesAsync(PeerProcess sim, int expected, CancellationToken cancellationToken)
    {
        // WaitForLineAsync hands back the first matching line, so ask for "the Nth READY line" each time.
        var devices = new List<SimulatedDevice>();
        while (devices.Count < expected)
        {
            var seen = devices.Count;
            await sim.WaitForLineAsync(_ => ReadyDevices(sim).Count > seen, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            devices = ReadyDevices(sim);
        }
        return devices;
    }

    private static List<SimulatedDevice> ReadyDevices(PeerProcess sim) =>
        sim.Log.Split('\n').Select(l => SimulatedDevice.TryParse(l.TrimEnd('\r'))).OfType<SimulatedDevice>().ToList();

    private static string FindSimulator()
    {
        try
        {
            return RepoPaths.BuiltTool("Nexwatt.HardwareSim", "hardware-sim");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BenchException($"{ex.Message} Or pass --sim PATH.", ex);
        }
    }
}
