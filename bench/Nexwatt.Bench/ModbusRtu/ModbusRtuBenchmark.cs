using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Bench.Harness;
using Nexwatt.Bench.Peers;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Rtu.Serial;
using Nexwatt.Testing;

namespace Nexwatt.Bench.ModbusRtu;

/// <summary>
/// `nexwatt-bench modbus-rtu`: Modbus RTU over a socat pty pair, 10-register reads one at a time. Two servers (a
/// pymodbus RTU server, a libmodbus RTU server compiled from bench/peers) and three clients against each (libmodbus's,
/// pymodbus's, ours), interleaved round by round, in one run; CPU per read for ours and libmodbus; then the time of a
/// full poll of four units on one bus with one unit dead (ours, against pymodbus: units 1, 2, 4 present, 3 absent).
/// A pty has no line time: the figures measure the software (and the t3.5 silence ours keeps), not 115200 baud.
/// </summary>
internal static partial class ModbusRtuBenchmark
{
    private const int Baud = 115200;
    private static readonly TimeSpan DeadUnitTimeout = TimeSpan.FromMilliseconds(200);

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        Progress.Step("modbus-rtu: checking peers (socat, gcc, libmodbus-dev, python3-pymodbus)");
        if (ProcessRunner.FindOnPath("socat") is null) throw new BenchException("socat not installed: apt-get install -y socat");
        var (serverPath, clientPath, version) = await BuildNativeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await MeasureAsync(arguments, serverPath, clientPath, version, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try { Directory.Delete(Path.GetDirectoryName(serverPath)!, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task<bool> MeasureAsync(BenchArguments arguments, string serverPath, string clientPath, string version, CancellationToken cancellationToken)
    {
        var rows = new List<(string Server, ContenderResult Result)>();
        foreach (var server in new[] { "pymodbus", "libmodbus" })
        {
            await using var pty = await PtyPair.StartAsync().ConfigureAwait(false);
            await using var peer = server == "pymodbus"
                ? DebianPython.Start(PeerSources.Path("pymodbus-rtu-server.py"), pty.A, Baud.ToString(CultureInfo.InvariantCulture))
                : PeerProcess.Start(serverPath, [pty.A, Baud.ToString(CultureInfo.InvariantCulture), "1"]);
            await peer.WaitForLineAsync(l => l == "READY", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var contenders = new List<IContender>
            {
                new RtuPeerContender($"libmodbus {version} (C)", clientPath, [], pty.B),
                new RtuPeerContender("pymodbus 3.0 (sync)", DebianPython.Interpreter, ["-u", PeerSources.Path("pymodbus-rtu-client.py")], pty.B),
                new OurRtuContender(pty.B, null),
                new OurRtuContender(pty.B, TimeSpan.Zero),
            };
            var results = contenders.Select(c => new ContenderResult(c)).ToList();
            try
            {
                for (var round = 0; round < arguments.Rounds; round++)
                    foreach (var result in results)
                    {
                        Progress.Step($"modbus-rtu: {server} server, round {round + 1}/{arguments.Rounds}: {result.Contender.Name}");
                        var measured = await result.Contender.RunRoundAsync(round == 0 ? arguments.WarmupSeconds : 0.5, arguments.Seconds, cancellationToken).ConfigureAwait(false);
                        result.Add(measured, 0, measured.Seconds);
                        Progress.Step($"  {measured.ReadsPerSecond:N0} reads/s, {measured.CpuMicrosecondsPerRead:0.0} CPU µs/read");
                    }
            }
            finally
            {
                foreach (var contender in contenders) await contender.DisposeAsync().ConfigureAwait(false);
            }
            rows.AddRange(results.Select(r => (server, r)));
        }
        var (firstPoll, laterPoll) = await FourUnitPollAsync(cancellationToken).ConfigureAwait(false);
        Print(arguments, rows, firstPoll, laterPoll);
        // Like for like: libmodbus keeps no silence, so its rate is compared with ours without t3.5 (the spec's silence
        // alone caps a pty near 1 / 1.75 ms).
        var ours = rows.Where(r => r.Result.Contender is OurRtuContender { KeepsSpecSilence: false }).Select(r => r.Result.MedianReadsPerSecond).Min();
        var theirs = rows.Where(r => r.Result.Contender.Name.StartsWith("libmodbus", StringComparison.Ordinal)).Select(r => r.Result.MedianReadsPerSecond).Min();
        return ours >= theirs;
    }

    /// <summary>Ours, polling units 1-4 (3 absent) ten registers each: the first poll (one timeout), then the median of 20.</summary>
    private static async Task<(TimeSpan First, TimeSpan Later)> FourUnitPollAsync(CancellationToken cancellationToken)
    {
        await using var pty = await PtyPair.StartAsync().ConfigureAwait(false);
        await using var peer = DebianPython.Start(PeerSources.Path("pymodbus-rtu-server.py"), pty.A, Baud.ToString(CultureInfo.InvariantCulture));
        await peer.WaitForLineAsync(l => l == "READY", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        await using var link = new ModbusRtuLink(new SerialRtuTransport(new SerialPortSettings { Port = pty.B, BaudRate = Baud }),
            new ModbusRtuLinkOptions { BaudRate = Baud, ResponseTimeout = DeadUnitTimeout, BreakerOpenMin = TimeSpan.FromMinutes(1) });
        // Warm up on the healthy units (JIT, port open), so that the first poll measures the dead unit, not start-up.
        for (var i = 0; i < 20; i++) await link.ReadHoldingRegistersAsync(1, 0, 10, cancellationToken).ConfigureAwait(false);
        Progress.Step($"modbus-rtu: a full poll of units 1-4 with unit 3 dead (timeout {DeadUnitTimeout.TotalMilliseconds:0} ms)");
        async Task<TimeSpan> PollAsync()
        {
            var clock = Stopwatch.StartNew();
            foreach (var unit in new byte[] { 1, 2, 3, 4 })
            {
                try { await link.ReadHoldingRegistersAsync(unit, 0, 10, cancellationToken).ConfigureAwait(false); }
                catch (Exception ex) when (unit == 3 && ex is TimeoutException or ModbusDeviceUnavailableException) { }
            }
            return clock.Elapsed;
        }
        var first = await PollAsync().ConfigureAwait(false);
        var later = new List<double>();
        for (var i = 0; i < 20; i++) later.Add((await PollAsync().ConfigureAwait(false)).TotalMilliseconds);
        return (first, TimeSpan.FromMilliseconds(Statistics.Median(later)));
    }

    private static async Task<(string Server, string Client, string Version)> BuildNativeAsync(CancellationToken cancellationToken)
    {
        var gcc = ProcessRunner.FindOnPath("gcc") ?? throw new BenchException("gcc not installed: apt-get install -y gcc");
        var pkgConfig = ProcessRunner.FindOnPath("pkg-config") ?? throw new BenchException("pkg-config not found: apt-get install -y pkg-config libmodbus-dev");
        var flags = await ProcessRunner.RunAsync(pkgConfig, ["--cflags", "--libs", "libmodbus"], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (flags.ExitCode != 0) throw new BenchException($"libmodbus-dev not installed: apt-get install -y libmodbus-dev ({flags.StandardError.Trim()})");
        var version = await ProcessRunner.RunAsync(pkgConfig, ["--modversion", "libmodbus"], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-rtu-").FullName;
        var libraryFlags = flags.StandardOutput.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var server = await NativePeers.CompileAsync(gcc, "libmodbus-rtu-server", folder, libraryFlags, cancellationToken).ConfigureAwait(false);
        var client = await NativePeers.CompileAsync(gcc, "libmodbus-rtu-client", folder, libraryFlags, cancellationToken).ConfigureAwait(false);
        return (server, client, version.StandardOutput.Trim());
    }

    private static void Print(BenchArguments arguments, List<(string Server, ContenderResult Result)> rows, TimeSpan firstPoll, TimeSpan laterPoll)
    {
        Console.WriteLine();
        Console.WriteLine($"Modbus RTU over a socat pty pair ({Baud} baud set, no line time): read 10 holding registers (0x03), one at a time");
        Console.WriteLine($"{arguments.Rounds} interleaved rounds of {arguments.Seconds:0.##} s after {arguments.WarmupSeconds:0.##} s warmup; median over rounds; {Environment.ProcessorCount} cores");
        Console.WriteLine();
        var table = new TextTable("server", "client", "reads/s (median)", "rounds", "client CPU", "CPU µs/read");
        foreach (var (server, r) in rows)
            table.Add(server, r.Contender.Name, r.MedianReadsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                string.Join(" / ", r.Rounds.Select(x => x.ReadsPerSecond.ToString("N0", CultureInfo.InvariantCulture))),
                r.MedianCpuFraction.ToString("P0", CultureInfo.InvariantCulture), r.MedianCpuMicrosecondsPerRead.ToString("0.0", CultureInfo.InvariantCulture));
        Console.Write(table);
        Console.WriteLine("(\"Nexwatt ModbusRtuLink\" keeps the spec's t3.5 silence, 1.75 ms above 19200 baud, before every request;");
        Console.WriteLine(" libmodbus and pymodbus do not wait, nor does \"Nexwatt, no t3.5\" (InterFrameSilence = 0), the like-for-like row)");
        Console.WriteLine();
        Console.WriteLine($"full poll of units 1-4 on one bus, unit 3 dead (response timeout {DeadUnitTimeout.TotalMilliseconds:0} ms): " +
            $"first {firstPoll.TotalMilliseconds:0.0} ms, then {laterPoll.TotalMilliseconds:0.0} ms (median of 20, its breaker open)");
    }

    /// <summary>A reference RTU client process (libmodbus C loop, pymodbus script), one per round.</summary>
    private sealed partial class RtuPeerContender(string name, string fileName, string[] leadingArguments, string device) : IContender
    {
        public string Name => name;

        public int InFlight => 1;

        public async Task<RoundResult> RunRoundAsync(double warmupSeconds, double seconds, CancellationToken cancellationToken)
        {
            await using var peer = PeerProcess.Start(fileName, [.. leadingArguments, device, Baud.ToString(CultureInfo.InvariantCulture),
                seconds.ToString(CultureInfo.InvariantCulture), "1", warmupSeconds.ToString(CultureInfo.InvariantCulture)]);
            var exitCode = await peer.WaitForExitAsync(TimeSpan.FromSeconds(warmupSeconds + seconds + 60), cancellationToken).ConfigureAwait(false);
            if (exitCode != 0) throw new BenchException($"{name} failed (exit code {exitCode}):\n{peer.Log.Trim()}");
            var match = RoundLine().Match(peer.Log);
            if (!match.Success) throw new BenchException($"{name} printed no 'reads=N seconds=S cpu=C' line:\n{peer.Log.Trim()}");
            return new RoundResult(long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        [GeneratedRegex(@"^reads=(\d+) seconds=([0-9.]+) cpu=([0-9.]+)", RegexOptions.Multiline)]
        private static partial Regex RoundLine();
    }

    /// <summary>
    /// Our ModbusRtuLink in this process, opened for each round and closed after it, like the peer processes: the
    /// clients take turns on the one pty end, and an open port would take the bytes meant for the next client.
    /// </summary>
    private sealed class OurRtuContender(string device, TimeSpan? interFrameSilence) : IContender
    {
        public string Name => KeepsSpecSilence ? "Nexwatt ModbusRtuLink" : "Nexwatt, no t3.5";

        public bool KeepsSpecSilence => interFrameSilence is null;

        public int InFlight => 1;

        public async Task<RoundResult> RunRoundAsync(double warmupSeconds, double seconds, CancellationToken cancellationToken)
        {
            await using var link = new ModbusRtuLink(new SerialRtuTransport(new SerialPortSettings { Port = device, BaudRate = Baud }),
                new ModbusRtuLinkOptions { BaudRate = Baud, ResponseTimeout = TimeSpan.FromSeconds(2), InterFrameSilence = interFrameSilence });
            var first = await link.ReadHoldingRegistersAsync(1, 0, 10, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < first.Length; i++)
                if (first[i] != (ushort)((i * 7 + 3) & 0xFFFF)) throw new BenchException($"Our client read register {i} = {first[i]}.");
            if (warmupSeconds > 0) await ReadForAsync(link, warmupSeconds, cancellationToken).ConfigureAwait(false);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            var reads = await ReadForAsync(link, seconds, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            process.Refresh();
            return new RoundResult(reads, elapsed, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }

        private static async Task<long> ReadForAsync(ModbusRtuLink link, double seconds, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            long reads = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await link.ReadHoldingRegistersAsync(1, 0, 10, cancellationToken).ConfigureAwait(false);
                reads++;
            }
            return reads;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
