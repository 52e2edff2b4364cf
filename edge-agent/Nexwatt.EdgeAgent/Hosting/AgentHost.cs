using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Configuration;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Hosting;

/// <summary>Builds the agent's Generic Host: configuration sources, validated options, pollers and the reading sink.</summary>
public static class AgentHost
{
    /// <summary>The site-wide configuration file an installer edits; optional.</summary>
    public const string EtcConfigPath = "/etc/nexwatt/agent.json";

    /// <summary>Environment variables with this prefix override any file, e.g. NEXWATT_Agent__SiteId.</summary>
    public const string EnvironmentPrefix = "NEXWATT_";

    /// <summary>
    /// Configuration, lowest precedence first: appsettings.json beside the binary, /etc/nexwatt/agent.json
    /// (or NEXWATT_CONFIG), an explicit --config file, then NEXWATT_ environment variables.
    /// </summary>
    public static void AddAgentConfiguration(IConfigurationBuilder configuration, string? explicitConfigFile)
    {
        configuration.SetBasePath(AppContext.BaseDirectory);
        configuration.AddJsonFile("appsettings.json", optional: true, reloadOnChange: false);
        var etc = Environment.GetEnvironmentVariable("NEXWATT_CONFIG") is { Length: > 0 } configured ? configured : EtcConfigPath;
        configuration.AddJsonFile(etc, optional: true, reloadOnChange: false);
        if (explicitConfigFile is not null)
        {
            if (!File.Exists(explicitConfigFile))
                throw new FileNotFoundException($"Configuration file '{explicitConfigFile}' does not exist.", explicitConfigFile);
            configuration.AddJsonFile(Path.GetFullPath(explicitConfigFile), optional: false, reloadOnChange: false);
        }
        configuration.AddEnvironmentVariables(EnvironmentPrefix);
    }

    public static IHost Build(string? explicitConfigFile, Action<IServiceCollection>? overrides = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        AddAgentConfiguration(builder.Configuration, explicitConfigFile);
        var warnings = AgentConfigurationCheck.Apply(builder.Configuration, Environment.GetEnvironmentVariables());

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 })
            builder.Logging.AddSystemdConsole(o => o.IncludeScopes = false);
        else
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; o.UseUtcTimestamp = true; });

        builder.Services.AddAgentServices(builder.Configuration);
        overrides?.Invoke(builder.Services);
        var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Nexwatt.EdgeAgent.Configuration");
        foreach (var warning in warnings) Log.ConfigurationWarning(logger, warning);
        return host;
    }

    /// <summary>
    /// What must hold before the host starts, checked outside it so that a mistake is one line and exit 78, not a
    /// "Hosting failed to start" with a stack trace: every option is valid, and the buffer opens.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">One line per problem.</exception>
    public static void CheckBeforeStart(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new InvalidConfigurationException([.. ex.Failures]);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new InvalidConfigurationException([.. ex.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)]);
        }
        try
        {
            _ = host.Services.GetRequiredService<ReadingBuffer>();
        }
        catch (BufferUnavailableException ex)
        {
            throw new InvalidConfigurationException([$"Agent:Buffer:Path: {ex.Message}"]);
        }
    }

    public static IServiceCollection AddAgentServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AgentLiveness>();
        services.AddMetrics();
        services.AddSingleton<Observability.UplinkStatus>();
        services.AddSingleton(sp =>
        {
            var folder = sp.GetRequiredService<IOptions<AgentOptions>>().Value.SunSpecModelsFolder;
            var catalog = SunSpecModelCatalog.LoadBuiltIn();
            return string.IsNullOrEmpty(folder) ? catalog : catalog.LoadFolder(folder);
        });
        services.AddSingleton<DeviceHealthBoard>();
        services.AddSingleton(sp => AgentIdentity.ForSite(sp.GetRequiredService<IOptions<AgentOptions>>().Value.SiteId));
        // The durable buffer: opened at start, closed last (hosted services stop in reverse order of
        // registration, so it is registered before the uplink and the pollers that use it).
        // A buffer that cannot be opened at start is a configuration error (the path); one that fails later is retried.
        services.AddSingleton(sp => ReadingBuffer.Open(sp.GetRequiredService<IOptions<AgentOptions>>().Value.Buffer,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Nexwatt.EdgeAgent.Buffer"), requireOpen: true));
        services.AddSingleton<IHostedService>(sp => new BufferLifetime(sp.GetRequiredService<ReadingBuffer>));
        // Before the uplinks and the pollers: the exporter must listen before they record anything.
        services.AddSingleton<Observability.AgentMetrics>();
        services.AddSingleton<Observability.AgentHealth>();
        services.AddSingleton<IHostedService>(sp => new Observability.MetricsEndpoint(sp.GetRequiredService<IOptions<AgentOptions>>(),
            sp.GetRequiredService<Observability.AgentMetrics>, sp.GetRequiredService<Observability.AgentHealth>(), sp.GetRequiredService<ILogger<Observability.MetricsEndpoint>>()));
        services.AddHostedService<Uplink.MqttUplinkService>();
        // One gRPC channel to the collector, shared by the upload and the setpoint stream (opened at first use).
        services.AddSingleton<Uplink.GrpcCollectorChannel>();
        services.AddHostedService<Uplink.GrpcUplinkService>();
        services.AddSingleton<LogReadingSink>();
        services.AddSingleton<BufferingReadingSink>();
        // Buffer first: a poll is durable before it is logged (and, through the buffer, before anything is sent).
        services.AddSingleton<IReadingSink>(sp => new CompositeReadingSink([sp.GetRequiredService<BufferingReadingSink>(), sp.GetRequiredService<LogReadingSink>()]));
        services.AddSingleton<Dispatch.DeviceControlRegistry>();
        services.AddHostedService<PollingService>();
        services.AddSingleton(sp => Dispatch.CollectorKey.FromOptions(sp.GetRequiredService<IOptions<AgentOptions>>().Value.Dispatch));
        services.AddSingleton<Dispatch.ISiteDevices>(sp => new Dispatch.RoutingSiteDevices(sp.GetRequiredService<Dispatch.DeviceControlRegistry>(),
            new Dispatch.SunSpecSiteDevices(sp.GetRequiredService<Dispatch.DeviceControlRegistry>(),
                sp.GetRequiredService<IOptions<AgentOptions>>().Value.Dispatch, sp.GetRequiredService<TimeProvider>())));
        // After the pollers: hosted services stop in reverse order, so the dispatcher restores the devices while
        // the pollers' Modbus links are still open, and the uplinks (registered earlier) can still carry its acks.
        services.AddSingleton<Dispatch.SetpointDispatcher>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<Dispatch.SetpointDispatcher>());
        services.AddHostedService<Dispatch.GrpcSetpointService>();
        Observability.Status.StatusServices.Add(services);
        services.AddSingleton<IHostedService>(sp => new Observability.DeviceSummaryLog(sp.GetRequiredService<IOptions<AgentOptions>>().Value.SiteId,
            sp.GetRequiredService<IOptions<AgentOptions>>().Value.LogSummaryInterval, sp.GetRequiredService<DeviceHealthBoard>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Observability.DeviceSummaryLog>>()));
        services.AddSingleton<IHostedService>(sp => new Observability.HealthChangeLog(sp.GetRequiredService<Observability.AgentHealth>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Observability.HealthChangeLog>>()));
        services.AddSingleton<IHostedService>(sp => new RuntimeHealthLog(sp.GetRequiredService<IOptions<AgentOptions>>().Value.HealthLogInterval,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RuntimeHealthLog>>()));
        // READY=1 and STOPPING=1 come from the package when systemd started us; the watchdog is ours (see SystemdWatchdog).
        services.AddSystemd();
        services.TryAddSingleton<ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
        services.AddSingleton<IHostedService>(sp => new SystemdWatchdog(sp.GetRequiredService<ISystemdNotifier>(), sp.GetRequiredService<AgentLiveness>(),
            () => sp.GetRequiredService<BufferingReadingSink>().IsHealthy, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SystemdWatchdog>>(),
            health: grace => sp.GetRequiredService<Observability.AgentHealth>().Evaluate(grace)));
        return services;
    }
}
