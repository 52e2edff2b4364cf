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
/// SunSpec units 1 and 2; 3 silent, 4 exceptions, 5 garbage, 6 too slow for the sweep).
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
                Discovery = new { Enabled = true, Serial = new[] { new { Port = port, BaudRate = 19200, Parity = "None", Units = "1-6", ProbeTimeout = "150ms" } } },
            },
        }));
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            var context = () => $"\n{agent.Log}\npymodbus log:\n{bus.Server.Log}";
            await agent.WaitForLineAsync(l => l.Contains($"Discovery: sweeping {port} for 6 unit id(s), 150 ms each"), TimeSpan.FromSeconds(60));
            await agent.WaitForLineAsync(l => l.Contains($"Discovery: sweep of {port} finished: 2 device(s) found"), TimeSpan.FromSeconds(60));
            foreach (var unit in new[] { 1, 2 })
            {
                Assert.True(agent.Log.Contains($"found SunSpec device on {port} unit {unit}: SunSpecTest TestInverter-1"), $"unit {unit} not found{context()}");
                await agent.WaitForLineAsync(l => Regex.IsMatch(l, $@"{Regex.Escape(port)}/{unit}: \d+ readings \(\d+ good\)"), TimeSpan.FromSeconds(30));
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
            Devices = [new DeviceOptions { Id = "meter", Transport = "rtu", UnitId = 1, Serial = serial, PollInterval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromMilliseconds(400) }],
            Discovery = new DiscoveryOptions { Enabled = true, Serial = [new SerialSweepOptions { Port = port, BaudRate = 19200, Units = "1-6", ProbeTimeout = TimeSpan.FromMilliseconds(100) }] },
        };
        var problems = new AgentOptionsValidator().Validate(null, agent);
        Assert.True(problems.Succeeded, problems.FailureMessage);
        var log = new ListLogger();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(log)));
        var health = new DeviceHealthBoard();
        var service = new PollingService(Options.Create(agent), SunSpecModelCatalog.LoadBuiltIn(), new NullSink(), health, new Nexwatt.EdgeAgent.Dispatch.DeviceControlRegistry(),
            TimeProvider.System, loggers);
        await service.StartAsync(CancellationToken.None);
        try
        {
            var found = $"{port}/2";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && !(health.Get(found) is { Polls: >= 3 } && log.Text.Contains("sweep of " + port + " finished"))) await Task.Delay(100);
            var context = $"\n{log.Text}\npymodbus log:\n{bus.Server.Log}";
            Assert.True(health.Get(found) is { Polls: >= 3, FailedPolls: 0 }, $"the discovered unit 2 was not polled: {health.Get(found)}{context}");
            Assert.Contains($"sweep of {port} finished: 1 device(s) found", log.Text); // unit 1 is configured, so not swept
            Assert.Contains("(1 configured unit(s) left out)", log.Text);
            var meter = health.Get("meter")!;
            Assert.True(meter is { FailedPolls: 0, Polls: >= 5 }, $"the configured unit was disturbed by the sweep: {meter}{context}");
        }
        finally { await service.StopAsync(CancellationToken.None); }
    }

    private sealed class NullSink : IReadingSink
    {
        public ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class ListLoggerProvider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;
        public void Dispose() { }
    }
}
