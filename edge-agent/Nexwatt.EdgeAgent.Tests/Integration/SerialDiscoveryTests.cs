using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The worker's serial discovery ("Agent:Discovery:Serial") against pymodbus on a socat pty pair (RtuBusTests' bus:
/// SunSpec units 1 and 2; 3 silent, 4 exceptions, 5 garbage, 6 too slow for the sweep). The sweeps wait 500 ms per
/// unit: pymodbus on a loaded 2-core machine once took over 100 ms to answer a healthy unit.
/// </summary>
public sealed class SerialDiscoveryTests
{
    [Fact]
    public async Task The_worker_sweeps_a_serial_port_finds_both_sunspec_units_and_polls_them()
    {
        await using var bus = await RtuBusTests.StartSerialBusAsync();
        var port = bus.Pty!.A;
        var config = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            Agent = new
            {
                SiteId = "site-1",
                DefaultPollInterval = "500ms",
                Discovery = new { Enabled = true, Serial = new[] { new { Port = port, BaudRate = 19200, Parity = "None", Units = "1-6", ProbeTimeout = "500ms" } } },
            },
        }));
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            var context = () => $"\n{agent.Log}\npymodbus log:\n{bus.Server.Log}";
            await agent.WaitForLineAsync(l => l.Contains($"Discovery: sweeping {port} for 6 unit id(s), 500 ms each"), TimeSpan.FromSeconds(60));
            await agent.WaitForLineAsync(l => l.Contains($"Discovery: sweep of {port} finished: 2 device(s) found"), TimeSpan.FromSeconds(60));
            foreach (var unit in new[] { 1, 2 })
            {
                Assert.True(agent.Log.Contains($"found SunSpec device on {port} unit {unit}: SunSpecTest TestInverter-1"), $"unit {unit} not found{context()}");
                await agent.WaitForLineAsync(l => Regex.IsMatch(l, $@"{Regex.Escape(DiscoveredId(port, unit))}: \d+ readings \(\d+ good\)"), TimeSpan.FromSeconds(30));
            }
            // Units that answer but are neither SunSpec nor a map are named, not polled; silent and slow ones are absent.
            Assert.Contains($"{port} unit 4 answers (Modbus)", agent.Log);
            Assert.Contains($"{port} unit 5 answers (Garbled)", agent.Log);
            Assert.DoesNotContain($"{port}/3:", agent.Log);
            Assert.DoesNotContain($"{port} unit 6", agent.Log);
            Assert.DoesNotContain("is not a known setting", agent.Log); // every sweep key (its own and the serial ones) binds
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task A_sweep_shares_the_bus_with_a_configured_device_which_goes_on_polling_without_a_failure()
    {
        await using var bus = await RtuBusTests.StartSerialBusAsync();
        var port = bus.Pty!.A;
        var serial = new SerialOptions { Port = port, BaudRate = 19200 };
        var agent = new AgentOptions
        {
            SiteId = "site-1",
            DefaultPollInterval = TimeSpan.FromMilliseconds(300), // the discovered unit's
            Devices = [new DeviceOptions { Id = "meter", Transport = "rtu", UnitId = 1, Serial = serial, PollInterval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(1) }],
            Discovery = new DiscoveryOptions { Enabled = true, Serial = [new SerialSweepOptions { Port = port, BaudRate = 19200, Units = "1-6", ProbeTimeout = TimeSpan.FromMilliseconds(500) }] },
        };
        await using var worker = await Worker.StartAsync(agent);
        var found = DiscoveredId(port, 2);
        // Good polls, not all polls: the discovered unit polls on the bus's timeout, and pymodbus under load may miss one.
        static long Good(DeviceHealth? h) => h is null ? 0 : h.Polls - h.FailedPolls;
        await worker.WaitAsync(() => Good(health(found)) >= 3 && health("meter") is { Polls: >= 5 } && worker.Log.Text.Contains($"sweep of {port} finished"));
        DeviceHealth? health(string id) => worker.Health.Get(id);
        var context = $"\n{worker.Log.Text}\npymodbus log:\n{bus.Server.Log}";
        Assert.True(Good(health(found)) >= 3, $"the discovered unit 2 was not polled: {health(found)}{context}");
        Assert.Contains($"sweep of {port} finished: 1 device(s) found", worker.Log.Text); // unit 1 is configured, so not swept
        Assert.Contains("(1 configured unit(s) left out)", worker.Log.Text);
        Assert.True(health("meter") is { FailedPolls: 0, Polls: >= 5 }, $"the configured unit was disturbed by the sweep: {health("meter")}{context}");
        // The sweep ran while the meter polled: some of its polls completed between the sweep's start and end lines.
        var lines = worker.Log.Entries.Select(e => e.Message).ToList();
        var (start, end) = (lines.FindIndex(l => l.StartsWith($"Discovery: sweeping {port}", StringComparison.Ordinal)), lines.FindIndex(l => l.StartsWith($"Discovery: sweep of {port}", StringComparison.Ordinal)));
        Assert.True(lines.Skip(start).Take(end - start).Count(l => l.StartsWith("meter: poll took", StringComparison.Ordinal)) >= 2, $"the meter did not poll during the sweep{context}");
    }

    [Fact]
    public async Task A_sweep_finds_a_register_map_device_by_its_identification_registers_and_polls_it_as_a_map_device()
    {
        // An Eastron SDM630 at unit 3 of a pymodbus RTU bus: frequency and L1 voltage in its input registers identify it.
        var image = Path.Combine(Path.GetTempPath(), $"nexwatt-map-image-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(image, JsonSerializer.Serialize(new object[]
        {
            new { unit = 3, kind = "input", address = 0, type = "float32", value = 231.5 },
            new { unit = 3, kind = "input", address = 52, type = "float32", value = 2875.5 },
            new { unit = 3, kind = "input", address = 70, type = "float32", value = 50.0 },
        }));
        try
        {
            await using var pty = await Nexwatt.Testing.PtyPair.StartAsync();
            await using var server = Nexwatt.Testing.DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_map_server.py"), image,
                "--serial", pty.B, "--baud", "19200");
            await server.WaitForLineAsync(l => l.StartsWith("READY", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            var agent = new AgentOptions
            {
                SiteId = "site-1",
                DefaultPollInterval = TimeSpan.FromMilliseconds(300),
                Discovery = new DiscoveryOptions { Enabled = true, Serial = [new SerialSweepOptions { Port = pty.A, BaudRate = 19200, Units = "2-4", ProbeTimeout = TimeSpan.FromMilliseconds(500) }] },
            };
            await using var worker = await Worker.StartAsync(agent);
            var id = DiscoveredId(pty.A, 3);
            await worker.WaitAsync(() => worker.Health.Get(id) is { Polls: >= 2 });
            var context = $"\n{worker.Log.Text}\npymodbus log:\n{server.Log}";
            Assert.True(worker.Health.Get(id) is { FailedPolls: 0, Polls: >= 2 }, $"the meter was not polled: {worker.Health.Get(id)}{context}");
            Assert.Contains($"found eastron-sdm630 device on {pty.A} unit 3", worker.Log.Text);
            Assert.Equal(-2875.5, worker.Sink.Last(id, "ActivePowerW"), 6); // read through the map: import is negative in our sign
        }
        finally { File.Delete(image); }
    }

    [Fact]
    public async Task A_missing_serial_port_stops_its_sweep_with_a_warning_not_the_worker()
    {
        var agent = new AgentOptions
        {
            SiteId = "site-1",
            DefaultPollInterval = TimeSpan.FromMilliseconds(200),
            Devices = [new DeviceOptions { Id = "inv", Host = "127.0.0.1", Port = 1, Timeout = TimeSpan.FromMilliseconds(200) }],
            Discovery = new DiscoveryOptions { Enabled = true, Serial = [new SerialSweepOptions { Port = "/dev/ttyNexwattMissing", Units = "1-3" }] },
        };
        await using var worker = await Worker.StartAsync(agent);
        await worker.WaitAsync(() => worker.Log.Text.Contains("sweep of /dev/ttyNexwattMissing stopped"));
        Assert.Contains("Discovery: the sweep of /dev/ttyNexwattMissing stopped: Opening the serial port /dev/ttyNexwattMissing failed", worker.Log.Text);
        await worker.WaitAsync(() => worker.Health.Get("inv") is { Polls: >= 2 });
        Assert.True(worker.Health.Get("inv") is { Polls: >= 2 }, $"the configured device stopped polling: {worker.Health.Get("inv")}\n{worker.Log.Text}");
    }

    /// <summary>The agent's polling service in this process, with its log, health board and readings at hand.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly PollingService _service;
        private readonly ILoggerFactory _loggers;

        private Worker(AgentOptions agent)
        {
            _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(Log)));
            _service = new PollingService(Options.Create(agent), SunSpecModelCatalog.LoadBuiltIn(), Sink, Health, new Nexwatt.EdgeAgent.Dispatch.DeviceControlRegistry(),
                TimeProvider.System, _loggers);
        }

        public ListLogger Log { get; } = new();

        public DeviceHealthBoard Health { get; } = new();

        public LastValueSink Sink { get; } = new();

        public static async Task<Worker> StartAsync(AgentOptions agent)
        {
            var problems = new AgentOptionsValidator().Validate(null, agent);
            Assert.True(problems.Succeeded, problems.FailureMessage);
            var worker = new Worker(agent);
            await worker._service.StartAsync(CancellationToken.None);
            return worker;
        }

        /// <summary>Waits up to 30 s for <paramref name="done"/>; the caller's asserts say what was missing.</summary>
        public async Task WaitAsync(Func<bool> done)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && !done()) await Task.Delay(100);
        }

        public async ValueTask DisposeAsync()
        {
            await _service.StopAsync(CancellationToken.None);
            _service.Dispose();
            _loggers.Dispose();
        }
    }

    private sealed class LastValueSink : IReadingSink
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), double> _values = new();

        public double Last(string deviceId, string point) => _values.TryGetValue((deviceId, point), out var value) ? value : double.NaN;

        public ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
        {
            foreach (var reading in batch.Readings)
                if (reading.Value is { } value) _values[(reading.DeviceId, reading.Point)] = value;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ListLoggerProvider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;
        public void Dispose() { }
    }

    /// <summary>The id a device found on <paramref name="port"/> reports under (it has no configured Id).</summary>
    private static string DiscoveredId(string port, int unit) => new DeviceOptions { Transport = "rtu", Serial = new SerialOptions { Port = port }, UnitId = unit }.EffectiveId;
}
