using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Nexwatt.Bench.Harness;
using Nexwatt.Bench.Peers;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Modbus;

/// <summary>
/// `nexwatt-bench modbus`: reads per second of 125 holding registers on loopback, every client against the same
/// libmodbus server, in one run: libmodbus's client, pymodbus's client, ours one request at a time, ours with
/// several requests in flight on one connection. Targets (from the issue): ours one at a time ≥ 0.8 × libmodbus;
/// ours pipelined ≥ 2 × libmodbus one at a time.
/// </summary>
internal static class ModbusBenchmark
{
    public const double OneAtATimeTarget = 0.8;
    public const double PipelinedTarget = 2.0;

    private const string PymodbusHint = "python3-pymodbus not installed: apt-get install -y python3-pymodbus python3-serial-asyncio";

    /// <summary>Runs the benchmark and prints the table; returns true when both targets are met.</summary>
    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        Progress.Step("modbus: checking peers (gcc, libmodbus-dev, python3-pymodbus)");
        var pymodbusVersion = await CheckPymodbusAsync(cancellationToken).ConfigureAwait(false);
        using var native = await NativePeers.BuildAsync(cancellationToken).ConfigureAwait(false);

        Progress.Step("modbus: starting the libmodbus server on 127.0.0.1:0");
        await using var server = await LibmodbusServer.StartAsync(native.ServerPath, cancellationToken).ConfigureAwait(false);
        var pipelining = await server.CheckPipeliningAsync(64, cancellationToken).ConfigureAwait(false);
        Progress.Step($"modbus: server on port {server.Port}; pipelining check: {pipelining}");

        var k = arguments.InFlight;
        var plan = $"{arguments.Rounds} interleaved rounds of {arguments.Seconds:0.##} s each, after {arguments.WarmupSeconds:0.##} s warmup ({RewarmupSeconds(arguments):0.##} s before later rounds)";
        var contenders = new List<IContender>
        {
            new PeerContender($"libmodbus {native.LibmodbusVersion} (C)", native.ClientPath, [], server.Port),
            new PeerContender($"pymodbus {pymodbusVersion} (sync)", DebianPython.Interpreter, ["-u", PeerSources.Path("pymodbus-client.py")], server.Port),
            new InProcessContender("Nexwatt ModbusLink", server.Port, inFlight: 1),
            new InProcessContender("Nexwatt ModbusLink", server.Port, inFlight: k),
        };
        if (arguments.Diagnostics) contenders.Add(new RawSocketContender(server.Port));
        var results = contenders.Select(c => new ContenderResult(c)).ToList();
        var allocationProfiles = new List<(IContender Contender, string Profile)>();
        var loadBefore = LoadAverage();
        if (double.TryParse(loadBefore.Split(' ')[0], CultureInfo.InvariantCulture, out var load1) && load1 > Environment.ProcessorCount * 0.5)
            Progress.Step($"WARNING: this machine is busy (1-minute load {load1:0.0} on {Environment.ProcessorCount} cores); loopback figures swing widely under load.");
        try
        {
            Progress.Step($"modbus: {plan}; load average {loadBefore}");
            for (var round = 0; round < arguments.Rounds; round++)
            {
                foreach (var result in results)
                {
                    var contender = result.Contender;
                    Progress.Step($"modbus: round {round + 1}/{arguments.Rounds}: {contender.Name}, {contender.InFlight} in flight on one connection");
                    var connectionsBefore = server.ConnectionsAccepted;
                    var serverCpuBefore = server.CpuTime;
                    var wall = Stopwatch.StartNew();
                    var warmup = round == 0 ? arguments.WarmupSeconds : RewarmupSeconds(arguments);
                    var measured = await contender.RunRoundAsync(warmup, arguments.Seconds, cancellationToken).ConfigureAwait(false);
                    result.Add(measured, (server.CpuTime - serverCpuBefore).TotalSeconds, wall.Elapsed.TotalSeconds);
                    result.Connections += server.ConnectionsAccepted - connectionsBefore;
                    var allocation = measured.AllocatedBytesPerRead is { } bytes ? $", {bytes:N0} B/read" : "";
                    Progress.Step($"  {measured.ReadsPerSecond:N0} reads/s, {measured.CpuMicrosecondsPerRead:0.0} CPU µs/read{allocation}");
                }
            }
            if (arguments.Diagnostics)
                foreach (var contender in contenders.Where(c => c is InProcessContender or RawSocketContender))
                    allocationProfiles.Add((contender, await ProfileAllocationsAsync(contender, arguments, cancellationToken).ConfigureAwait(false)));
        }
        finally
        {
            foreach (var contender in contenders) await contender.DisposeAsync().ConfigureAwait(false);
        }

        var libmodbus = results[0];
        var oneRatio = results[2].MedianReadsPerSecond / libmodbus.MedianReadsPerSecond;
        var pipelinedRatio = results[3].MedianReadsPerSecond / libmodbus.MedianReadsPerSecond;
        Print(arguments, native.LibmodbusVersion, pipelining, plan, $"{loadBefore} before, {LoadAverage()} after", results, oneRatio, pipelinedRatio);

        // Our client opens its connection in round 1 and keeps it; each peer process opens one per round.
        var warnings = new List<string>();
        foreach (var result in results)
        {
            var expected = result.Contender is PeerContender ? arguments.Rounds : 1;
            if (result.Connections != expected)
                warnings.Add($"{result.Contender.Name} ({result.Contender.InFlight} in flight) opened {result.Connections} connections, expected {expected}; its figures are not comparable.");
        }
        foreach (var warning in warnings) Console.WriteLine($"WARNING: {warning}");
        foreach (var (contender, profile) in allocationProfiles)
        {
            Console.WriteLine();
            Console.WriteLine($"allocations of {contender.Name}, {contender.InFlight} in flight (GCAllocationTick samples, ~1 per 100 KB):");
            Console.Write(profile);
        }
        return oneRatio >= OneAtATimeTarget && pipelinedRatio >= PipelinedTarget && warnings.Count == 0;
    }

    private static async Task<string> ProfileAllocationsAsync(IContender contender, BenchArguments arguments, CancellationToken cancellationToken)
    {
        Progress.Step($"modbus: sampling allocations of {contender.Name}, {contender.InFlight} in flight ({arguments.Seconds:0.##} s)");
        using var sampler = new AllocationSampler();
        sampler.Start();
        var round = await contender.RunRoundAsync(0, arguments.Seconds, cancellationToken).ConfigureAwait(false);
        sampler.Stop();
        var table = new TextTable("type", "samples", "share");
        foreach (var (type, samples, share) in sampler.Top(8))
            table.Add(type, samples.ToString(CultureInfo.InvariantCulture), share.ToString("P0", CultureInfo.InvariantCulture));
        return $"{round.AllocatedBytesPerRead:0} B/read over {round.Reads:N0} reads, {sampler.TotalSamples} samples\n{table}";
    }

    private static double RewarmupSeconds(BenchArguments arguments) => Math.Min(arguments.WarmupSeconds, 0.5);

    /// <summary>The 1-, 5- and 15-minute load averages: other work on this small machine skews every figure.</summary>
    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static void Print(BenchArguments arguments, string libmodbusVersion, string pipelining, string plan, string load,
        List<ContenderResult> results, double oneRatio, double pipelinedRatio)
    {
        Console.WriteLine();
        Console.WriteLine($"Modbus TCP: read 125 holding registers (function 0x03), loopback, one connection per client");
        Console.WriteLine($"server: libmodbus {libmodbusVersion} (bench/peers/libmodbus-server.c); pipelining: {pipelining}");
        Console.WriteLine($"{plan}; median over rounds");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average {load}");
        Console.WriteLine();
        var table = new TextTable("client", "in flight", "reads/s (median)", "rounds", "client CPU", "CPU µs/read", "alloc B/read", "server CPU");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            table.Add(
                r.Contender.Name,
                r.Contender.InFlight.ToString(CultureInfo.InvariantCulture),
                r.MedianReadsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                string.Join(" / ", r.Rounds.Select(x => x.ReadsPerSecond.ToString("N0", CultureInfo.InvariantCulture))),
                r.MedianCpuFraction.ToString("P0", CultureInfo.InvariantCulture),
                r.MedianCpuMicrosecondsPerRead.ToString("0.0", CultureInfo.InvariantCulture),
                r.MedianAllocatedBytesPerRead?.ToString("N0", CultureInfo.InvariantCulture) ?? "-",
                r.ServerCpuFraction.ToString("P0", CultureInfo.InvariantCulture));
        }
        Console.Write(table);
        Console.WriteLine("(CPU % is of one core; 'server CPU' is the libmodbus server's while it served that client)");
        Console.WriteLine();
        var verdicts = new TextTable("ratio", "value", "target", "verdict");
        verdicts.Add("ours, 1 in flight / libmodbus", oneRatio.ToString("0.00", CultureInfo.InvariantCulture), $">= {OneAtATimeTarget:0.0}", oneRatio >= OneAtATimeTarget ? "PASS" : "FAIL");
        verdicts.Add($"ours, {arguments.InFlight} in flight / libmodbus (1 in flight)", pipelinedRatio.ToString("0.00", CultureInfo.InvariantCulture), $">= {PipelinedTarget:0.0}", pipelinedRatio >= PipelinedTarget ? "PASS" : "FAIL");
        Console.Write(verdicts);
    }

    private static async Task<string> CheckPymodbusAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(DebianPython.Interpreter)) throw new BenchException($"{DebianPython.Interpreter} is missing. {PymodbusHint}");
        var check = await ProcessRunner.RunAsync(DebianPython.Interpreter, ["-c", "import pymodbus, pymodbus.client; print(pymodbus.__version__)"],
            TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (check.ExitCode != 0) throw new BenchException($"{PymodbusHint}\n({DebianPython.Interpreter}: {check.StandardError.Trim().Split('\n')[^1]})");
        return check.StandardOutput.Trim();
    }
}
