using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.Bench.CollectorIngest;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.AgentMemory;

/// <summary>
/// The agent's resident memory at steady state as the package runs it: the self-contained Release publish polling N
/// hardware-sim SunSpec devices (half inverters, half batteries) every 5 s, its configuration in a file like
/// /etc/nexwatt/agent.json, the metrics endpoint on, no uplink (readings go to the buffer). One agent per runtime
/// setting (<see cref="RuntimeVariant"/>), warmed up, then sampled every second over the window: median and maximum
/// VmRSS, its split, and the agent's CPU per minute (a setting that saves memory by collecting far more often shows
/// there). Target: under 60 MB with 10 devices (issue 13).
/// </summary>
internal static partial class AgentMemoryBenchmark
{
    private const long TargetBytes = 60L * 1024 * 1024;
    private const string UnitFile = "packaging/systemd/nexwatt-agent.service";

    [GeneratedRegex(@"^READY (?:inverter|battery) unit=\d+ endpoint=(?<host>[\d.]+):(?<port>\d+)", RegexOptions.Multiline)]
    private static partial Regex ModbusReady();

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var window = TimeSpan.FromSeconds(arguments.SecondsOption ?? 60);
        var warmup = TimeSpan.FromSeconds(arguments.WarmupOption ?? 30);
        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-agent-memory-").FullName;
        try
        {
            var agent = arguments.AgentPath ?? await PublishAsync(folder, cancellationToken).ConfigureAwait(false);
            var executable = Path.Combine(agent, "nexwatt-agent");
            if (!File.Exists(executable)) throw new BenchException($"{executable} not found: --agent takes the folder of a self-contained publish");
            var unit = UnitEnvironment();
            var variants = RuntimeVariant.All(unit).Where(v => arguments.Variants is null || arguments.Variants.Contains(v.Name)).ToList();
            if (variants.Count == 0) throw new BenchException($"no variant matches --variants; known: {string.Join(", ", RuntimeVariant.All(unit).Select(v => v.Name))}");

            Progress.Step($"agent-memory: starting hardware-sim with {arguments.Devices} SunSpec devices");
            var kinds = Enumerable.Range(0, arguments.Devices).SelectMany(i => new[] { i % 2 == 0 ? "--inverter" : "--battery", "0" });
            await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve", "--host", "127.0.0.1", "--no-table", .. kinds]);
            await sim.WaitForLineAsync(l => l.StartsWith("READY all", StringComparison.Ordinal), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var endpoints = ModbusReady().Matches(sim.Log).Select(m => (m.Groups["host"].Value, int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture))).ToList();

            var results = new List<(RuntimeVariant Variant, VariantFigures Figures)>();
            foreach (var group in variants.Chunk(arguments.Parallel))
            {
                Progress.Step($"agent-memory: {string.Join(", ", group.Select(v => v.Name))}: {warmup.TotalSeconds:N0} s warmup, {window.TotalSeconds:N0} s sampled");
                var figures = await Task.WhenAll(group.Select(v => MeasureAsync(executable, folder, v, endpoints, warmup, window, cancellationToken))).ConfigureAwait(false);
                results.AddRange(group.Zip(figures));
            }

            var table = new TextTable("variant", "RSS median", "RSS max", "anon", "file", "shmem", "private", "GC committed", "JIT methods", "CPU ms/min", "polls ok/err", "settings");
            foreach (var (variant, f) in results)
                table.Add(variant.Name, Mb(f.Median.Resident), Mb(f.MaxResident), Mb(f.Median.Anonymous), Mb(f.Median.File), Mb(f.Median.Shared), Mb(f.Median.Private),
                    Mb(f.GcCommitted), f.JitMethods.ToString("N0", CultureInfo.InvariantCulture), f.CpuMsPerMinute.ToString("N0", CultureInfo.InvariantCulture),
                    $"{f.PollsOk:N0}/{f.PollsFailed:N0}", variant.Describe());
            Console.WriteLine();
            Console.WriteLine($"agent-memory: {arguments.Devices} SunSpec devices every 5 s, {agent}; medians of 1 s samples over {window.TotalSeconds:N0} s after {warmup.TotalSeconds:N0} s; {arguments.Parallel} agent(s) at a time; load average {LoadAverage()}");
            Console.WriteLine("memory in MB (MiB); anon/file/shmem: VmRSS split from /proc/PID/status; private: smaps_rollup Private_Clean + Private_Dirty; GC committed and JIT methods from the agent's /metrics at the end");
            Console.WriteLine(table);
            var shipped = results.FirstOrDefault(r => r.Variant.Name == "unit").Figures;
            if (shipped is null) return true;
            Console.WriteLine($"target: the package as systemd runs it (\"unit\") under {Mb(TargetBytes)} MB median VmRSS: {(shipped.Median.Resident < TargetBytes ? "met" : "MISSED")} ({Mb(shipped.Median.Resident)} MB)");
            return shipped.Median.Resident < TargetBytes;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record VariantFigures(ResidentSample Median, long MaxResident, long GcCommitted, long JitMethods, double CpuMsPerMinute, long PollsOk, long PollsFailed);

    private static async Task<VariantFigures> MeasureAsync(string executable, string folder, RuntimeVariant variant, IReadOnlyList<(string Host, int Port)> endpoints,
        TimeSpan warmup, TimeSpan window, CancellationToken cancellationToken)
    {
        var metricsPort = LoopbackPorts.Free();
        var name = variant.Name.Replace('^', '-');
        var config = Path.Combine(folder, $"agent-{name}.json");
        await File.WriteAllTextAsync(config, Configuration(endpoints, Path.Combine(folder, $"buffer-{name}.db"), metricsPort), cancellationToken).ConfigureAwait(false);
        // NEXWATT_CONFIG points away from /etc/nexwatt/agent.json: only the bench's file counts.
        var environment = new Dictionary<string, string>(variant.Environment) { ["NEXWATT_CONFIG"] = "/dev/null/none" };
        await using var agent = PeerProcess.Start(executable, ["run", "--config", config], environment);
        await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
        if (agent.HasExited) throw new BenchException($"the agent ({variant.Name}) exited during warmup:\n{agent.Log}");
        var samples = new List<ResidentSample>();
        var cpuStart = ProcessCpu.Tree(agent.Id);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            if (ResidentSample.Read(agent.Id) is { } sample) samples.Add(sample);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        var cpu = ProcessCpu.Tree(agent.Id) - cpuStart;
        var elapsed = clock.Elapsed;
        if (agent.HasExited || samples.Count == 0) throw new BenchException($"the agent ({variant.Name}) exited while measured:\n{agent.Log}");
        var metrics = await ScrapeAsync(metricsPort, cancellationToken).ConfigureAwait(false);
        long Metric(string prefix, string? label = null) => (long)metrics.Where(m => m.Key.StartsWith(prefix, StringComparison.Ordinal) && (label is null || m.Key.Contains(label, StringComparison.Ordinal))).Sum(m => m.Value);
        var pollsOk = Metric("nexwatt_agent_device_polls_total{", "outcome=\"ok\"");
        if (pollsOk == 0) throw new BenchException($"the agent ({variant.Name}) read nothing; the figures would not be of a working agent:\n{agent.Log}");
        long Median(Func<ResidentSample, long> field) => samples.Select(field).Order().ElementAt(samples.Count / 2);
        return new VariantFigures(
            new ResidentSample(Median(s => s.Resident), Median(s => s.Anonymous), Median(s => s.File), Median(s => s.Shared), Median(s => s.Private)),
            samples.Max(s => s.Resident), Metric("dotnet_gc_last_collection_memory_committed_size_bytes"), Metric("dotnet_jit_compiled_methods_total"),
            cpu * 1000 / elapsed.TotalMinutes, pollsOk, Metric("nexwatt_agent_device_polls_total{", "outcome=\"error\""));
    }

    /// <summary>The configuration an installer writes (packaging/etc/agent.json's shape), pointing at the simulated devices.</summary>
    private static string Configuration(IReadOnlyList<(string Host, int Port)> endpoints, string buffer, int metricsPort) => JsonSerializer.Serialize(new
    {
        Agent = new
        {
            SiteId = "bench-agent-memory",
            DefaultPollInterval = "00:00:05",
            Devices = endpoints.Select((e, i) => new { Id = $"device-{i + 1:D2}", Type = "sunspec", e.Host, e.Port, UnitId = 1 }).ToArray(),
            Buffer = new { Path = buffer },
            Metrics = new { Port = metricsPort },
        },
    });

    /// <summary>"name{labels} value" lines of the agent's Prometheus endpoint (comments skipped).</summary>
    private static async Task<List<KeyValuePair<string, double>>> ScrapeAsync(int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), cancellationToken).ConfigureAwait(false);
        return text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => (Line: l, Space: l.LastIndexOf(' ')))
            .Where(p => p.Space > 0 && double.TryParse(p.Line.AsSpan(p.Space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(p => KeyValuePair.Create(p.Line[..p.Space], double.Parse(p.Line.AsSpan(p.Space + 1), NumberStyles.Float, CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The environment the package's systemd unit gives the agent (its Environment= lines).</summary>
    internal static Dictionary<string, string> UnitEnvironment() =>
        File.ReadAllLines(Path.Combine(RepoPaths.Root, UnitFile)).Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(l => l["Environment=".Length..].Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>The package's publish (packaging/build.sh's flags) into the bench's temporary folder.</summary>
    private static async Task<string> PublishAsync(string folder, CancellationToken cancellationToken)
    {
        var output = Path.Combine(folder, "publish");
        var rid = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        Progress.Step($"agent-memory: dotnet publish -c Release -r {rid} --self-contained (ReadyToRun) into {output}");
        await using var publish = PeerProcess.Start(PeerProcess.DotnetHost, ["publish", Path.Combine(RepoPaths.Root, "edge-agent/Nexwatt.EdgeAgent/Nexwatt.EdgeAgent.csproj"),
            "-c", "Release", "-r", rid, "--self-contained", "-p:PublishReadyToRun=true", "-p:SatelliteResourceLanguages=en", "-p:DebugType=none",
            "-p:GenerateDocumentationFile=false", "--artifacts-path", Path.Combine(folder, "artifacts"), "-o", output, "-nologo", "-v", "quiet", "-clp:ErrorsOnly"]);
        if (await publish.WaitForExitAsync(TimeSpan.FromMinutes(15), cancellationToken).ConfigureAwait(false) != 0)
            throw new BenchException($"dotnet publish of the agent failed:\n{publish.Log}");
        return output;
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("N1", CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
