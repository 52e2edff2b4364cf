using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Api;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.GrpcHosting;
using Nexwatt.Collector.Identity;
using Nexwatt.Collector.Ingest;
using Nexwatt.Collector.Normalization;
using Nexwatt.Collector.Registry;
using Nexwatt.Collector.Storage;
using Nexwatt.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Nexwatt.Collector.Hosting;

/// <summary>Builds the collector: Kestrel listeners, storage, ingest (gRPC and MQTT), dispatch, identity and the management API.</summary>
public static class CollectorHost
{
    public const string EtcConfigPath = "/etc/nexwatt/collector.json";

    /// <summary>Environment variables with this prefix override any file, e.g. NEXWATT_Collector__Storage__ConnectionString.</summary>
    public const string EnvironmentPrefix = "NEXWATT_";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddJsonFile(Environment.GetEnvironmentVariable("NEXWATT_COLLECTOR_CONFIG") is { Length: > 0 } c ? c : EtcConfigPath, optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configure?.Invoke(builder);
        var warnings = CollectorConfigurationCheck.Apply(builder.Configuration, Environment.GetEnvironmentVariables());

        var services = builder.Services;
        services.AddOptions<CollectorOptions>().Bind(builder.Configuration.GetSection(CollectorOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CollectorOptions>, CollectorOptionsValidator>();
        services.AddOptions<ManagementOptions>().Bind(builder.Configuration.GetSection(ManagementOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ManagementOptions>, ManagementOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddCollectorStorage(builder.Configuration);
        services.AddSingleton(sp => new Normalizer(new NormalizerOptions { MaximumAheadOfReceipt = sp.GetRequiredService<IOptions<CollectorOptions>>().Value.MaxSourceTimeAhead }));
        services.AddNormalization();
        services.AddAssetRegistry();
        services.AddSingleton<SiteIdentityResolver>();
        services.AddSingleton<DirtyIntervals>();
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<Observability.IntervalWorkerStatus>();
        services.AddHostedService<IntervalWorker>();
        services.AddMetrics();
        services.AddSingleton<Observability.CollectorMetrics>();
        services.AddSingleton<Observability.CollectorHealth>();
        // Under systemd (Type=notify): READY=1 once the host has started, i.e. after CheckBeforeStartAsync opened the
        // store and Kestrel bound both listeners; STOPPING=1 on stop; WATCHDOG=1 only while healthy (CollectorWatchdog).
        services.AddSystemd();
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<IHostedService>(sp => new Observability.CollectorWatchdog(sp.GetRequiredService<ISystemdNotifier>(),
            sp.GetRequiredService<Observability.CollectorHealth>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Observability.CollectorWatchdog>>()));
        // Scraped at the management port's /metrics; the runtime's own meter gives memory, GC and thread-pool figures.
        services.AddSingleton(sp => Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("nexwatt-collector"))
            .AddMeter(Observability.CollectorMetrics.MeterName, "System.Runtime")
            // AddMeter selects by name, which would also take the instruments of another collector host in the same
            // process (tests run several): only this host's meter, the one its IMeterFactory scoped, is exported.
            .AddView(instrument => instrument.Meter.Name == Observability.CollectorMetrics.MeterName
                && !ReferenceEquals(instrument.Meter.Scope, sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())
                ? MetricStreamConfiguration.Drop : null)
            .AddPrometheusExporter()
            .Build());
        services.AddSingleton<MqttRefusals>();
        services.AddHostedService<MqttIngestService>();
        services.AddDispatch(builder.Configuration);
        services.AddAuthentication(ManagementTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ManagementTokenHandler>(ManagementTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy("management", policy => policy.RequireRole("management"));
        services.AddSingleton<GrpcMessageRefusals>();
        services.AddSingleton<SiteStreamLimits>();
        services.AddSingleton<SiteRefusalLog>();
        AddGrpcServices(services);

        // grpc-dotnet logs an error with a stack trace for every request message it cannot read (before the service
        // runs), which a client could repeat without bound; those are counted and logged, rate-limited, by
        // GrpcMessageRefusals, and a failure of the services themselves by SiteCallInterceptor.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Critical);
        // AddAuthentication registers ASP.NET Core's data protection, whose key ring warms up at start and warns that its
        // keys are kept in memory or unencrypted (the service user has no home). Nothing of ours is protected with it:
        // the management scheme compares token hashes. The warnings gave an operator nothing to act on, so only its
        // errors are kept.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        var collector = builder.Configuration.GetSection(CollectorOptions.SectionName).Get<CollectorOptions>() ?? new CollectorOptions();
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureListeners(kestrel, collector));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Nexwatt.Collector.Configuration");
        foreach (var warning in warnings) HostingLog.ConfigurationWarning(logger, warning);
        var refusals = app.Services.GetRequiredService<GrpcMessageRefusals>();
        app.Use(refusals.ObserveAsync);
        app.UseManagementApiProblems();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseJsonRequestBodies();
        app.MapGrpcService<TelemetryIngestService>();
        app.MapGrpcHealthChecksService();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        MapObservability(app, collector.ManagementPort);
        app.MapRegistry();
        app.MapSites();
        app.MapQueries();
        app.MapGrpcService<SiteDispatchService>();
        app.MapDispatch();
        return app;
    }

    /// <summary>/metrics and /readyz on the management port only: the site-facing port speaks gRPC and nothing else.</summary>
    private static void MapObservability(WebApplication app, int managementPort)
    {
        var management = $"*:{managementPort}";
        _ = app.Services.GetRequiredService<Observability.CollectorMetrics>(); // its instruments exist before the first scrape
        app.MapPrometheusScrapingEndpoint("/metrics", app.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>(), null, null).RequireHost(management);
        app.MapGet("/readyz", (Observability.CollectorHealth health) =>
        {
            var problems = health.Problems();
            var body = new { status = problems.Count == 0 ? "ok" : "unhealthy", problems = problems.Select(p => new { code = p.Code, message = p.Message }) };
            return Results.Json(body, statusCode: problems.Count == 0 ? 200 : 503);
        }).RequireHost(management);
    }

    /// <summary>Largest request message a site may send (after decompression), and the largest response sent.</summary>
    internal const int MaxMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// The site-facing services on Grpc.AspNetCore: methods generated from protos/, the site's identity proven once per
    /// call by <see cref="SiteCallInterceptor"/>, 4 MiB messages, gzip requests inflated only up to that limit,
    /// uncompressed responses (acks and setpoints are small), no detailed errors, no reflection; and the standard
    /// grpc.health.v1 service, which needs no identity.
    /// </summary>
    private static void AddGrpcServices(IServiceCollection services)
    {
        services.AddSingleton<SiteCallInterceptor>();
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxMessageSize;
            grpc.MaxSendMessageSize = MaxMessageSize;
            grpc.EnableDetailedErrors = false;
            grpc.CompressionProviders = [new BoundedGzipCompressionProvider(MaxMessageSize)];
            grpc.ResponseCompressionAlgorithm = null;
        })
            .AddServiceOptions<TelemetryIngestService>(o => o.Interceptors.Add<SiteCallInterceptor>())
            .AddServiceOptions<SiteDispatchService>(o => o.Interceptors.Add<SiteCallInterceptor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<TelemetryIngestService>, TelemetryIngestService.Methods>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<SiteDispatchService>, SiteDispatchService.Methods>());
        // grpc.health.v1 answers from the registered checks (UNKNOWN with none): SERVING while the host runs,
        // NOT_SERVING once it is stopping, so a balancer drains it before the streams end.
        services.AddGrpcHealthChecks().AddCheck<HostRunningCheck>("collector");
    }

    private sealed class HostRunningCheck(IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("stopping") : HealthCheckResult.Healthy());
    }

    /// <summary>
    /// What must hold before the host starts, checked outside it so that a mistake is one line, not a "Hosting failed
    /// to start" with a stack trace: every option is valid, the store opens (schema created or migrated) and the
    /// dispatch signing key loads.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">A configuration mistake, one line per problem (exit 78).</exception>
    /// <exception cref="StorageUnavailableException">The database cannot be reached now (exit 69: systemd may retry).</exception>
    public static async Task CheckBeforeStartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new InvalidConfigurationException([.. ex.Failures]);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new InvalidConfigurationException([.. ex.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)]);
        }
        await app.Services.GetRequiredService<CollectorStorageInitializer>().InitializeAsync(cancellationToken).ConfigureAwait(false);
        // Loaded (or generated) here rather than by the first service that needs it, for the same one-line report.
        _ = app.Services.GetRequiredService<DispatchSigningKey>();
    }

    private static void ConfigureListeners(KestrelServerOptions kestrel, CollectorOptions options)
    {
        if (!IPAddress.TryParse(options.ListenAddress, out var address)) return; // the options validator reports it
        var tls = options.Tls;
        X509Certificate2? certificate = null;
        if (!string.IsNullOrEmpty(tls.CertificateFile) && !string.IsNullOrEmpty(tls.KeyFile) && File.Exists(tls.CertificateFile) && File.Exists(tls.KeyFile))
            certificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile);
        X509Certificate2Collection? siteCa = null;
        if (!string.IsNullOrEmpty(tls.SiteCaFile) && File.Exists(tls.SiteCaFile))
        {
            siteCa = new X509Certificate2Collection();
            siteCa.ImportFromPemFile(tls.SiteCaFile);
        }

        ApplyConnectionLimits(kestrel, options.Connections ?? new());
        kestrel.Listen(address, options.Port, listen =>
        {
            if (certificate is null)
            {
                // Plain HTTP/2 (prior knowledge) on loopback only: the embedded demo, or TLS ending at a local proxy.
                listen.Protocols = HttpProtocols.Http2;
                return;
            }
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                https.HandshakeTimeout = (options.Connections ?? new()).RequestHeadersTimeout;
                if (siteCa is null) return;
                // A site may prove itself with a certificate from the site CA, or fall back to its token.
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (client, _, _) => ChainsTo(client, siteCa);
            });
        });
        kestrel.Listen(address, options.ManagementPort, listen =>
        {
            // HTTP/2 needs TLS's protocol negotiation here; in clear (loopback only) the API speaks HTTP/1.1.
            listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
            if (certificate is not null) listen.UseHttps(certificate);
        });
    }

    /// <summary>
    /// Nothing holds a connection for free: silent new connections, connections with no open stream, and peers that
    /// stop answering HTTP/2 pings are closed; streams per connection are bounded. Open streams are not timed out here
    /// (the setpoint stream waits by nature); the upload stream has its own idle timeout.
    /// </summary>
    private static void ApplyConnectionLimits(KestrelServerOptions kestrel, CollectorConnectionOptions connections)
    {
        kestrel.Limits.KeepAliveTimeout = connections.IdleTimeout;
        kestrel.Limits.RequestHeadersTimeout = connections.RequestHeadersTimeout;
        kestrel.Limits.Http2.KeepAlivePingDelay = connections.KeepAlivePingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = connections.KeepAlivePingTimeout;
        kestrel.Limits.Http2.MaxStreamsPerConnection = connections.MaxStreamsPerConnection;
    }

    /// <summary>True when the client certificate chains to one of the site CAs (and only those: no system roots).</summary>
    internal static bool ChainsTo(X509Certificate2 client, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(client);
    }
}
