using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// Modbus RTU against pymodbus (Debian's python3-pymodbus, not our code): one "RS-485 bus" on a socat pty pair, or
/// RTU frames over a raw TCP socket, holding two healthy SunSpec units (the SunSpec Alliance's test inverter image)
/// and four faulty ones: 3 silent, 4 answering exceptions, 5 answering garbage, 6 answering 1.5 s late.
/// </summary>
public sealed class RtuBusTests
{
    private const string Image = "pysunspec_mbmap_test_inverter_1.xml";
    private static readonly byte[] FaultyUnits = [3, 4, 5, 6];

    internal sealed class Bus : IAsyncDisposable
    {
        public required PtyPair? Pty { get; init; }
        public required PeerProcess Server { get; init; }
        public int TcpPort { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            if (Pty is not null) await Pty.DisposeAsync();
        }
    }

    private static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_rtu_bus.py");

    private static string ImagePath => Path.Combine(RepoPaths.SharedReference, "sunspec", "devices", Image);

    /// <summary>The bus on a pty pair (the agent opens <see cref="PtyPair.A"/>), also used by the serial discovery tests.</summary>
    internal static async Task<Bus> StartSerialBusAsync()
    {
        var pty = await PtyPair.StartAsync();
        var server = DebianPython.Start(Script, ImagePath, "--serial", pty.B, "--baud", "19200");
        await server.WaitForLineAsync(l => l.StartsWith("READY", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return new Bus { Pty = pty, Server = server };
    }

    private static async Task<Bus> StartTcpBusAsync()
    {
        var server = DebianPython.Start(Script, ImagePath, "--tcp");
        var ready = await server.WaitForLineAsync(l => l.StartsWith("READY port=", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return new Bus { Pty = null, Server = server, TcpPort = int.Parse(ready["READY port=".Length..], System.Globalization.CultureInfo.InvariantCulture) };
    }

    [Fact]
    public async Task Read_serial_decodes_each_healthy_unit_on_the_bus()
    {
        await using var bus = await StartSerialBusAsync();
        foreach (var unit in new[] { "1", "2" })
        {
            var (code, output) = await AgentProcess.RunAsync("read", "--serial", bus.Pty!.A, "--baud", "19200", "--unit", unit, "--json");
            Assert.True(code == 0, $"{output}\npymodbus log:\n{bus.Server.Log}");
            var device = JsonDocument.Parse(AgentProcess.JsonPart(output)).RootElement;
            Assert.Equal(bus.Pty.A, device.GetProperty("endpoint").GetString());
            Assert.Equal("TestInverter-1", device.GetProperty("common").GetProperty("model").GetString());
            var inverter = device.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetInt32() == 103);
            double Point(string name) => inverter.GetProperty("points").EnumerateArray().Single(p => p.GetProperty("point").GetString() == name).GetProperty("value").GetDouble();
            Assert.Equal(2970, Point("W"));
            Assert.Equal(240.1, Point("PhVphA"), 9);
            Assert.Equal(1234567, Point("WH"));
        }
    }

    [Fact]
    public async Task Read_serial_names_what_went_wrong_with_a_faulty_unit()
    {
        await using var bus = await StartSerialBusAsync();
        var (silent, silentOutput) = await AgentProcess.RunAsync("read", "--serial", bus.Pty!.A, "--baud", "19200", "--unit", "3", "--timeout", "300ms");
        Assert.Equal(3, silent);
        Assert.Contains("did not answer function 0x03 within 300 ms", silentOutput);
        var (garbage, garbageOutput) = await AgentProcess.RunAsync("read", "--serial", bus.Pty.A, "--baud", "19200", "--unit", "5", "--timeout", "300ms");
        Assert.Equal(3, garbage);
        Assert.Contains("CRC is wrong", garbageOutput);
        var (missing, missingOutput) = await AgentProcess.RunAsync("read", "--serial", "/dev/ttyNexwattMissing", "--baud", "19200");
        Assert.Equal(3, missing);
        Assert.Contains("Opening the serial port /dev/ttyNexwattMissing failed", missingOutput);
    }

    [Fact]
    public async Task Scan_serial_sweeps_the_unit_ids_and_tells_sunspec_from_other_answers()
    {
        await using var bus = await StartSerialBusAsync();
        var (code, output) = await AgentProcess.RunAsync("scan", "--serial", bus.Pty!.A, "--baud", "19200", "--units", "1-8", "--timeout", "500ms", "--json");
        Assert.True(code == 0, $"{output}\npymodbus log:\n{bus.Server.Log}");
        var found = JsonDocument.Parse(AgentProcess.JsonPart(output)).RootElement.EnumerateArray()
            .ToDictionary(u => u.GetProperty("unitId").GetInt32(), u => u.GetProperty("answer").GetString());
        // 3 is silent and 6 answers too late for the sweep's 500 ms (long enough for pymodbus on a loaded machine; the
        // default 100 ms once missed units 1-2 under load): both absent; 4 answers exceptions, 5 garbage.
        Assert.Equal(new Dictionary<int, string?> { [1] = "SunSpec", [2] = "SunSpec", [4] = "Modbus", [5] = "Garbled" }, found);

        var (tableCode, table) = await AgentProcess.RunAsync("scan", "--serial", bus.Pty.A, "--baud", "19200", "--units", "1-2", "--timeout", "500ms");
        Assert.Equal(0, tableCode);
        var start = table.IndexOf("{\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no configuration snippet in the scan's output:\n{table}\npymodbus log:\n{bus.Server.Log}");
        var snippet = JsonDocument.Parse(table[start..(table.LastIndexOf('}') + 1)]).RootElement;
        var devices = snippet.GetProperty("Agent").GetProperty("Devices").EnumerateArray().ToList();
        Assert.Equal([1, 2], devices.Select(d => d.GetProperty("UnitId").GetInt32()));
        Assert.All(devices, d => Assert.Equal("rtu", d.GetProperty("Transport").GetString()));
        Assert.All(devices, d => Assert.Equal(bus.Pty.A, d.GetProperty("Serial").GetProperty("Port").GetString()));
    }

    [Fact]
    public async Task Configured_rtu_devices_share_one_bus_and_the_faulty_units_do_not_stall_the_healthy_ones()
    {
        await using var bus = await StartSerialBusAsync();
        var results = await PollBusAsync(unit => new DeviceOptions
        {
            // 1 s: pymodbus on a loaded CI machine once took over 400 ms for a healthy unit; unit 6 (1.5 s late) still times out.
            Id = $"unit-{unit}", Transport = "rtu", UnitId = unit, Timeout = TimeSpan.FromSeconds(1),
            Serial = new SerialOptions { Port = bus.Pty!.A, BaudRate = 19200 },
        });
        AssertHealthyUnaffected(results, bus);
    }

    [Fact]
    public async Task Rtu_over_tcp_reaches_pymodbus_rtu_framer_over_a_socket()
    {
        await using var bus = await StartTcpBusAsync();
        var results = await PollBusAsync(unit => new DeviceOptions
        {
            Id = $"unit-{unit}", Transport = "rtu-over-tcp", Host = "127.0.0.1", Port = bus.TcpPort, UnitId = unit, Timeout = TimeSpan.FromSeconds(1),
        });
        AssertHealthyUnaffected(results, bus);
    }

    [Fact]
    public async Task A_missing_serial_port_keeps_its_device_unhealthy_and_retried_without_a_crash()
    {
        var log = new ListLogger();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(log)));
        await using var links = new DeviceLinks(TimeProvider.System, loggers);
        var health = new DeviceHealthBoard();
        var device = new DeviceOptions { Id = "meter", Transport = "rtu", UnitId = 1, Timeout = TimeSpan.FromMilliseconds(300),
            Serial = new SerialOptions { Port = "/dev/ttyNexwattMissing", BaudRate = 9600 } };
        using var run = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await new DevicePoller("site-1", device, TimeSpan.FromMilliseconds(200), links.For(device), SunSpecModelCatalog.LoadBuiltIn(), new CountingSink(), health,
            TimeProvider.System, log).RunAsync(run.Token).WaitAsync(TimeSpan.FromSeconds(30));
        var state = health.Get("meter")!;
        Assert.False(state.Healthy);
        Assert.True(state.FailedPolls >= 2, $"only {state.FailedPolls} failed polls: the port was not retried\n{log.Text}");
        Assert.Contains("/dev/ttyNexwattMissing", log.Text);
    }

    private sealed record PollResults(DeviceHealthBoard Health, ConcurrentDictionary<string, int> Batches, string Log, TimeSpan Run);

    private sealed class CountingSink : IReadingSink
    {
        public ConcurrentDictionary<string, int> Batches { get; } = new();

        public ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
        {
            Batches.AddOrUpdate(batch.DeviceId, 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ListLoggerProvider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;
        public void Dispose() { }
    }

    /// <summary>Polls units 1-6 of one bus through the agent's own links and pollers for a few seconds.</summary>
    private static async Task<PollResults> PollBusAsync(Func<byte, DeviceOptions> device)
    {
        var log = new ListLogger();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(log)));
        await using var links = new DeviceLinks(TimeProvider.System, loggers);
        var sink = new CountingSink();
        var health = new DeviceHealthBoard();
        var catalog = SunSpecModelCatalog.LoadBuiltIn();
        var interval = TimeSpan.FromMilliseconds(300);
        var clock = Stopwatch.StartNew();
        using var run = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var pollers = Enumerable.Range(1, 6).Select(u => device((byte)u))
            .Select(d => new DevicePoller("site-1", d, interval, links.For(d), catalog, sink, health, TimeProvider.System, log).RunAsync(run.Token));
        await Task.WhenAll(pollers).WaitAsync(TimeSpan.FromSeconds(60));
        return new PollResults(health, sink.Batches, log.Text, clock.Elapsed);
    }

    private static void AssertHealthyUnaffected(PollResults results, Bus bus)
    {
        var context = $"\n{results.Log}\npymodbus log:\n{bus.Server.Log}";
        foreach (var id in new[] { "unit-1", "unit-2" })
        {
            var healthy = results.Health.Get(id)!;
            Assert.True(healthy.FailedPolls == 0, $"{id} failed {healthy.FailedPolls} poll(s): {healthy.LastError}{context}");
            // 8 s at 300 ms: the faulty units cost each healthy one at most a few timeouts in all, never a poll.
            Assert.True(healthy.Polls >= 12, $"{id} polled only {healthy.Polls} times{context}");
            Assert.Equal(healthy.Polls, results.Batches.GetValueOrDefault(id));
        }
        foreach (var unit in FaultyUnits)
        {
            var faulty = results.Health.Get($"unit-{unit}");
            Assert.NotNull(faulty);
            Assert.True(!faulty.Healthy && faulty.FailedPolls > 0, $"unit {unit} looks healthy: {faulty.Polls} polls, {faulty.FailedPolls} failed{context}");
            Assert.Equal(0, results.Batches.GetValueOrDefault($"unit-{unit}"));
        }
        // Unit 6's late answers really reached the line, and were dropped as stale or ignored as another unit's.
        Assert.True(results.Log.Contains("ignored an answer from unit 6", StringComparison.Ordinal)
            || results.Log.Contains("stale bytes before a request", StringComparison.Ordinal), $"no late answer of unit 6 was seen{context}");
    }
}
