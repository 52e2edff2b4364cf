using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Discovery;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>Starts one poller per device (listed, or found by discovery) and runs them side by side until shutdown.</summary>
internal sealed class PollingService(
    IOptions<AgentOptions> options,
    SunSpecModelCatalog catalog,
    IReadingSink sink,
    DeviceHealthBoard health,
    Dispatch.DeviceControlRegistry controls,
    TimeProvider time,
    ILoggerFactory loggers,
    Hosting.AgentLiveness? liveness = null,
    Observability.AgentMetrics? metrics = null,
    Observability.Status.CredentialExpiryBoard? credentials = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<PollingService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var agent = options.Value;
        await using var sources = new DeviceSourceFactory(catalog, health, controls, time, loggers, agent);
        var devices = new List<DeviceOptions>(agent.Devices);
        if (agent.Discovery.Enabled && agent.Discovery.Ranges.Count > 0)
        {
            var scanner = new NetworkScanner(catalog, time, loggers.CreateLogger<NetworkScanner>());
            var found = await scanner.ScanAsync(agent.Discovery, progress: null, stoppingToken).ConfigureAwait(false);
            foreach (var device in found)
                if (!devices.Any(d => d.Host == device.Host && d.Port == device.Port && d.UnitId == device.UnitId))
                    devices.Add(new DeviceOptions { Host = device.Host, Port = device.Port, UnitId = device.UnitId, SunSpecBaseAddress = device.BaseAddress });
            foreach (var device in await Discovery.ScanMaps.FindAsync(agent.Discovery, agent.Discovery.ProbeTimeout, stoppingToken, agent.RegisterMapsFolder).ConfigureAwait(false))
                if (!devices.Any(d => d.Host == device.Host && d.Port == device.Port && d.UnitId == device.UnitId))
                    devices.Add(new DeviceOptions { Type = DeviceTypes.Map, Map = device.Map, Host = device.Host, Port = device.Port, UnitId = device.UnitId });
        }
        var sweeps = agent.Discovery.Enabled && agent.Discovery.Serial.Count > 0;

        Log.AgentStarted(_logger, typeof(PollingService).Assembly.GetName().Version?.ToString(3) ?? "?", agent.SiteId, devices.Count);
        if (devices.Count == 0 && !sweeps)
        {
            Log.NothingToPoll(_logger);
            return;
        }

        var running = new List<Task>();
        void Start(DeviceOptions device)
        {
            var logger = loggers.CreateLogger($"Nexwatt.EdgeAgent.Device.{device.EffectiveId}");
            var source = sources.Create(device, logger);
            credentials?.Register(device.EffectiveId, source);
            var poller = new DevicePoller(agent.SiteId, device.EffectiveId, device.EffectivePollInterval(agent.DefaultPollInterval), source,
                sink, health, time, logger, liveness, metrics);
            lock (running) running.Add(Task.Run(() => poller.RunAsync(stoppingToken), CancellationToken.None));
        }

        foreach (var device in devices) Start(device);
        // The serial sweeps start once the configured devices poll: their requests queue on the same bus links.
        if (sweeps)
            await new SerialDiscovery(sources.SerialBus, catalog, sources.Maps, loggers.CreateLogger<SerialDiscovery>())
                .RunAsync(agent.Discovery, devices, Start, stoppingToken).ConfigureAwait(false);
        Task[] all;
        lock (running) all = [.. running];
        await Task.WhenAll(all).ConfigureAwait(false);
    }
}
