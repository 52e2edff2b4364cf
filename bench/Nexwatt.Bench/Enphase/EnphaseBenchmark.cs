using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Bench.CollectorIngest;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Enphase;

/// <summary>
/// The real agent process polling simulated Enphase IQ Gateways (hardware-sim <c>serve --enphase</c>, firmware 8: HTTPS,
/// JWT, pinned certificate) beside a SunSpec inverter and battery, against the same agent with the SunSpec devices
/// alone: the agent's CPU per gateway poll (meters + production + ensemble; the microinverter reads on their own
/// 5-minute schedule fall inside the window too) and its resident memory. The gateways are spread over a few
/// hardware-sim processes (each a gateway the agent reaches by its own URL, pin file and connection).
/// </summary>
internal static partial class EnphaseBenchmark
{
    private const double CpuTarget = 0.005;
    private const double MemoryTargetBytes = 10 * 1024 * 1024;
    private const int SimulatorProcesses = 4;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    [GeneratedRegex(@"^READY (?<kind>inverter|battery) unit=\d+ endpoint=[\d.]+:(?<port>\d+)", RegexOptions.Multiline)]
    private static partial Regex ModbusReady();

    [GeneratedRegex(@"^READY enphase endpoint=(?<url>\S+) ", RegexOptions.Multiline)]
    private static partial Regex EnphaseReady();

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var gateways = arguments.Gateways;
        var window = TimeSpan.FromSeconds(arguments.SecondsOption ?? 60);
        var warmup = TimeSpan.FromSeconds(Math.Max(arguments.WarmupSeconds, 30));
        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-enphase-").FullName;
        var peers = new List<PeerProcess>();
        try
        {
            Progress.Step("enphase: starting hardware-sim (inverter + battery) and the simulated gateways");
            var modbus = Start(peers, ["serve", "--inverter", "0", "--battery", "0", "--host", "127.0.0.1", "--no-table"]);
            var sims = Enumerable.Range(0, Math.Min(SimulatorProcesses, gateways)).Select(i =>
                (Tokens: Path.Combine(folder, $"tokens-{i}"), Process: Start(peers, ["serve", "--enphase", "0", "--firmware", "8", "--gateway-serial", $"1223000000{i:D2}", "--token-dir", Path.Combine(folder, $"tokens-{i}")]))).ToList();
            foreach (var peer in peers) await peer.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var ports = ModbusReady().Matches(modbus.Log).ToDictionary(m => m.Groups["kind"].Value, m => m.Groups["port"].Value);
            var urls = sims.Select(s => (s.Tokens, Url: EnphaseReady().Match(s.Process.Log).Groups["url"].Value)).ToList();

            // --uplink: the real collector in this process (SQLite), reached over gRPC on loopback by both agents.
            // --uplink-tls: the collector's gRPC listener with a throw-away CA's server certificate, the agents trusting that CA.
            using var certificates = arguments.UplinkTls ? TestCertificates.Create() : null;
            var tls = certificates is null ? null : new Dictionary<string, string?>
            {
                ["Collector:Tls:CertificateFile"] = certificates.ServerCertificateFile,
                ["Collector:Tls:KeyFile"] = certificates.ServerKeyFile,
            };
            await using var collector = arguments.Uplink
                ? await BenchCollector.StartAsync(new StoreTarget("sqlite", Path.Combine(folder, "collector.db"), null), null, null, cancellationToken, tls).ConfigureAwait(false)
                : null;
            (Uri Address, string SiteToken, string? CaFile)? uplink = collector is null ? null
                : (collector.GrpcAddress,
                    await collector.RegisterSiteAsync("bench-enphase", null, cancellationToken).ConfigureAwait(false), certificates?.CaCertificateFile);
            var baseline = await MeasureAgentAsync(folder, "sunspec", ports, [], uplink, warmup, window, cancellationToken).ConfigureAwait(false);
            var devices = Enumerable.Range(0, gateways).Select(i => urls[i % urls.Count]).ToList();
            var withGateways = await MeasureAgentAsync(folder, "enphase", ports, devices, uplink, warmup, window, cancellationToken).ConfigureAwait(false);

            var polls = gateways * (window / Interval);
            var cpuPerPoll = (withGateways.CpuSeconds - baseline.CpuSeconds) / polls;
            var memory = withGateways.ResidentBytes - baseline.ResidentBytes;
            var table = new TextTable("measure", "value", "target", "verdict");
            table.Add("agent CPU, SunSpec inverter + battery alone", $"{baseline.CpuSeconds * 1000:N0} ms in {window.TotalSeconds:N0} s", "", "");
            table.Add($"agent CPU, + {gateways} gateways every {Interval.TotalSeconds:N0} s", $"{withGateways.CpuSeconds * 1000:N0} ms in {window.TotalSeconds:N0} s", "", "");
            table.Add($"CPU per gateway poll ({polls:N0} polls)", $"{cpuPerPoll * 1000:N2} ms", $"< {CpuTarget * 1000:N0} ms", cpuPerPoll < CpuTarget ? "met" : "MISSED");
            table.Add("agent resident memory, SunSpec alone (median VmRSS over the window)", $"{baseline.ResidentBytes / 1048576.0:N1} MB (max {baseline.PeakBytes / 1048576.0:N1} MB)", "", "");
            table.Add($"agent resident memory, + {gateways} gateways", $"{withGateways.ResidentBytes / 1048576.0:N1} MB (max {withGateways.PeakBytes / 1048576.0:N1} MB)", "", "");
            table.Add($"memory for {gateways} gateways", $"{memory / 1048576.0:+0.0;-0.0} MB", $"<= +{MemoryTargetBytes / 1048576:N0} MB", memory <= MemoryTargetBytes ? "met" : "MISSED");
            Console.WriteLine();
            Console.WriteLine($"enphase: {gateways} simulated gateways (firmware 8, HTTPS + JWT) over {sims.Count} hardware-sim processes; {(collector is null ? "no uplink" : $"gRPC uplink to the collector at {uplink!.Value.Address}")}; agent runtime as the systemd unit sets it: {string.Join(' ', AgentMemory.AgentMemoryBenchmark.UnitEnvironment().Select(e => $"{e.Key}={e.Value}"))}; load average {LoadAverage()}");
            Console.WriteLine(table);
            return cpuPerPoll < CpuTarget && memory <= MemoryTargetBytes;
        }
        finally
        {
            foreach (var peer in peers) await peer.DisposeAsync().ConfigureAwait(false);
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record AgentFigures(double CpuSeconds, long ResidentBytes, long PeakBytes);

    private static async Task<AgentFigures> MeasureAgentAsync(string folder, string name, Dictionary<string, string> ports, IReadOnlyList<(string Tokens, string Url)> gateways,
        (Uri Address, string SiteToken, string? CaFile)? uplink, TimeSpan warmup, TimeSpan window, CancellationToken cancellationToken)
    {
        // The runtime settings of the package's systemd unit (the gen0 budget above all): without them the GC's default
        // budget fills up with the gateways' allocations and the difference measures the budget, not the gateways.
        var environment = new Dictionary<string, string>(AgentMemory.AgentMemoryBenchmark.UnitEnvironment())
        {
            ["NEXWATT_CONFIG"] = "/dev/null/none",
            ["NEXWATT_Agent__SiteId"] = "bench-enphase",
            ["NEXWATT_Agent__DefaultPollInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
            ["NEXWATT_Agent__Buffer__Path"] = Path.Combine(folder, $"buffer-{name}.db"),
            ["NEXWATT_Logging__LogLevel__Default"] = "Warning",
            ["NEXWATT_Agent__Devices__0__Id"] = "inverter",
            ["NEXWATT_Agent__Devices__0__Host"] = "127.0.0.1",
            ["NEXWATT_Agent__Devices__0__Port"] = ports["inverter"],
            ["NEXWATT_Agent__Devices__1__Id"] = "battery",
            ["NEXWATT_Agent__Devices__1__Host"] = "127.0.0.1",
            ["NEXWATT_Agent__Devices__1__Port"] = ports["battery"],
        };
        if (uplink is not null)
        {
            environment["NEXWATT_Agent__Uplink__Grpc__Enabled"] = "true";
            environment["NEXWATT_Agent__Uplink__Grpc__Address"] = uplink.Value.Address.ToString();
            environment["NEXWATT_Agent__Uplink__Grpc__SiteToken"] = uplink.Value.SiteToken;
            if (uplink.Value.CaFile is { } ca) environment["NEXWATT_Agent__Uplink__Grpc__CaCertificateFile"] = ca;
        }
        for (var i = 0; i < gateways.Count; i++)
        {
            var key = $"NEXWATT_Agent__Devices__{i + 2}__";
            environment[key + "Id"] = $"envoy-{i:D2}";
            environment[key + "Type"] = "enphase";
            environment[key + "Enphase__Url"] = gateways[i].Url;
            environment[key + "Enphase__TokenFile"] = Path.Combine(gateways[i].Tokens, "owner.jwt");
            environment[key + "Enphase__PinFile"] = Path.Combine(folder, $"{name}-envoy-{i:D2}.pin");
            environment[key + "Enphase__MeterInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture);
        }
        Progress.Step($"enphase: agent with the SunSpec devices{(gateways.Count > 0 ? $" and {gateways.Count} gateways" : " alone")}: {warmup.TotalSeconds:N0} s warmup, {window.TotalSeconds:N0} s measured");
        await using var agent = PeerProcess.StartDotnetTool("Nexwatt.EdgeAgent", "nexwatt-agent", ["run"], environment);
        await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
        if (agent.HasExited) throw new BenchException($"the agent exited during warmup:\n{agent.Log}");
        var cpuStart = ProcessCpu.Tree(agent.Id);
        // One sample a second: the GC's state at any one instant swings the anonymous share by several MB.
        var samples = new List<AgentMemory.ResidentSample>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            if (AgentMemory.ResidentSample.Read(agent.Id) is { } sample) samples.Add(sample);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        var cpu = ProcessCpu.Tree(agent.Id) - cpuStart;
        if (samples.Count == 0) throw new BenchException($"the agent exited while measured:\n{agent.Log}");
        long Median(Func<AgentMemory.ResidentSample, long> field) => samples.Select(field).Order().ElementAt(samples.Count / 2);
        var (rss, peak) = (Median(m => m.Resident), samples.Max(m => m.Resident));
        Progress.Step($"enphase: {name}: median VmRSS {rss / 1048576.0:N1} MB = anonymous {Median(m => m.Anonymous) / 1048576.0:N1} + file {Median(m => m.File) / 1048576.0:N1} + shmem {Median(m => m.Shared) / 1048576.0:N1} MB (medians of {samples.Count} samples)");
        if (agent.HasExited) throw new BenchException($"the agent exited while measured:\n{agent.Log}");
        if (gateways.Count > 0 && agent.Log.Contains("unhealthy", StringComparison.OrdinalIgnoreCase))
            throw new BenchException($"a device went unhealthy; the figures would not be of working polls:\n{agent.Log[Math.Max(0, agent.Log.Length - 3000)..]}");
        return new AgentFigures(cpu, rss, peak);
    }

    private static PeerProcess Start(List<PeerProcess> peers, string[] arguments)
    {
        var peer = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", arguments);
        peers.Add(peer);
        return peer;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
