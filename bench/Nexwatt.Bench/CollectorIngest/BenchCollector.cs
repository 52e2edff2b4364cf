using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Nexwatt.Bench.Harness;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Hosting;
using Nexwatt.Data.Sqlite;
using Npgsql;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>Where the collector under test stores: a fresh SQLite file or a fresh PostgreSQL database.</summary>
internal sealed record StoreTarget(string Name, string? SqlitePath, string? ConnectionString);

/// <summary>
/// The real collector (<see cref="CollectorHost.Build"/>) in this process on free loopback ports, configured in
/// memory: the store given, a management token, MQTT ingest when a broker port is given. The only addition is the
/// <see cref="StoreProbe"/> around the store (a service provider factory swaps the registration when the host is
/// built), so what runs is the product's pipeline. Logs at Warning and above go to stderr.
/// </summary>
internal sealed class BenchCollector : IAsyncDisposable
{
    private const string ManagementToken = "bench-management-token";

    private readonly WebApplication _app;
    private readonly StoreTarget _store;

    private BenchCollector(WebApplication app, StoreTarget store, int grpcPort, int apiPort, string? serverCertificateFile)
    {
        _app = app;
        _store = store;
        // With Collector:Tls both listeners speak TLS; the management client then trusts exactly that certificate.
        var scheme = serverCertificateFile is null ? "http" : "https";
        GrpcAddress = new Uri($"{scheme}://{(serverCertificateFile is null ? "127.0.0.1" : "localhost")}:{grpcPort}");
        var handler = new HttpClientHandler();
        if (serverCertificateFile is not null)
        {
            var expected = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(serverCertificateFile)).RawData;
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(expected);
        }
        Api = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{apiPort}") };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ManagementToken);
    }

    public Uri GrpcAddress { get; }

    public HttpClient Api { get; }

    public static async Task<BenchCollector> StartAsync(StoreTarget store, StoreProbe? probe, int? mqttPort, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? extraSettings = null)
    {
        var (grpcPort, apiPort) = (FreePort(), FreePort());
        var settings = new Dictionary<string, string?>
        {
            ["Collector:Port"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Collector:ManagementPort"] = apiPort.ToString(CultureInfo.InvariantCulture),
            ["Collector:Management:Tokens:0"] = ManagementToken,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        if (store.SqlitePath is { } path)
        {
            settings["Collector:Storage:Provider"] = "sqlite";
            settings["Collector:Storage:SqlitePath"] = path;
        }
        else
        {
            settings["Collector:Storage:Provider"] = "postgres";
            settings["Collector:Storage:ConnectionString"] = store.ConnectionString;
        }
        if (mqttPort is { } port)
        {
            settings["Collector:MqttIngest:Enabled"] = "true";
            settings["Collector:MqttIngest:Host"] = "127.0.0.1";
            settings["Collector:MqttIngest:Port"] = port.ToString(CultureInfo.InvariantCulture);
            settings["Collector:MqttIngest:TlsEnabled"] = "false";
            settings["Collector:MqttIngest:ClientId"] = "bench-collector";
        }
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>()) settings[key] = value;
        var app = CollectorHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            if (probe is not null) builder.Host.UseServiceProviderFactory(new ProbingServiceProviderFactory(probe));
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BenchCollector(app, store, grpcPort, apiPort, settings.GetValueOrDefault("Collector:Tls:CertificateFile"));
    }

    /// <summary>Registers a site (returning its token) and, when <paramref name="linkedDeviceId"/> is given, a solar asset linked to that device.</summary>
    public async Task<string> RegisterSiteAsync(string siteId, string? linkedDeviceId, CancellationToken cancellationToken)
    {
        var site = await Api.PostAsJsonAsync("/v1/sites", new { site_id = siteId }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(site, "register site", cancellationToken).ConfigureAwait(false);
        var token = (await site.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)).GetProperty("token").GetString()
            ?? throw new BenchException($"site {siteId}: no token in the answer");
        if (linkedDeviceId is null) return token;
        var assetId = $"asset-{siteId}";
        var asset = await Api.PostAsJsonAsync("/v1/assets/register", new
        {
            asset_id = assetId, type = "solar", inverter = "bench-inverter", capacity_kw = 10, meter_id = $"meter-{siteId}", iso_zone = "PJM", telemetry_interval = 5,
        }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(asset, "register asset", cancellationToken).ConfigureAwait(false);
        var link = await Api.PostAsJsonAsync($"/v1/assets/{assetId}/link", new { site_id = siteId, device_id = linkedDeviceId }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(link, "link asset", cancellationToken).ConfigureAwait(false);
        return token;
    }

    /// <summary>Counts rows in the store's own tables, straight from the database (not through the collector).</summary>
    public async Task<(long Readings, long Samples)> CountAsync(CancellationToken cancellationToken)
    {
        const string Readings = "SELECT count(*) FROM readings";
        const string Samples = "SELECT count(*) FROM samples";
        if (_store.SqlitePath is { } path)
        {
            using var database = SqliteDatabase.Open(path, readOnly: true);
            return (database.ScalarInt64(Readings), database.ScalarInt64(Samples));
        }
        await using var source = NpgsqlDataSource.Create(_store.ConnectionString!);
        await using var readings = source.CreateCommand(Readings);
        await using var samples = source.CreateCommand(Samples);
        return ((long)(await readings.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!,
            (long)(await samples.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Api.Dispose();
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        throw new BenchException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
    }

    // Bind port 0 and release it: another process may take the port in between (then the start fails, loudly).
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Builds the host's container with <see cref="ICollectorStore"/> wrapped in a <see cref="ProbedCollectorStore"/>.</summary>
    private sealed class ProbingServiceProviderFactory(StoreProbe probe) : IServiceProviderFactory<IServiceCollection>
    {
        public IServiceCollection CreateBuilder(IServiceCollection services)
        {
            var registration = services.LastOrDefault(d => d.ServiceType == typeof(ICollectorStore))
                ?? throw new BenchException("the collector registered no ICollectorStore");
            var create = registration.ImplementationFactory ?? throw new BenchException("ICollectorStore is not registered by a factory");
            services.Remove(registration);
            // The dispatch store is the same database object; only the telemetry calls are timed.
            services.AddSingleton(provider => new InnerStore((ICollectorStore)create(provider)));
            services.AddSingleton<ICollectorStore>(provider => new ProbedCollectorStore(provider.GetRequiredService<InnerStore>().Store, probe));
            services.RemoveAll<IDispatchStore>();
            services.AddSingleton(provider => (IDispatchStore)provider.GetRequiredService<InnerStore>().Store);
            return services;
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => containerBuilder.BuildServiceProvider();

        private sealed record InnerStore(ICollectorStore Store);
    }
}
