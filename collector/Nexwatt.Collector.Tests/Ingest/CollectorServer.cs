using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>The real collector host, in process, on free loopback ports, with an embedded SQLite store.</summary>
internal sealed class CollectorServer : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private readonly bool _deleteOnDispose;
    private bool _disposed;

    private CollectorServer(WebApplication app, int grpcPort, int apiPort, string directory, bool deleteOnDispose)
    {
        _app = app;
        _deleteOnDispose = deleteOnDispose;
        Directory = directory;
        GrpcPort = grpcPort;
        ApiPort = apiPort;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        _channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{grpcPort}"), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
        });
        Ingest = new TelemetryIngest.TelemetryIngestClient(_channel);
        Dispatch = new SiteDispatch.SiteDispatchClient(_channel);
    }

    public int GrpcPort { get; }
    public int ApiPort { get; }
    public HttpClient Api { get; }
    public TelemetryIngest.TelemetryIngestClient Ingest { get; }
    public SiteDispatch.SiteDispatchClient Dispatch { get; }
    public string Directory { get; }
    public ICollectorStore Store => _app.Services.GetRequiredService<ICollectorStore>();
    public IServiceProvider Services => _app.Services;

    /// <summary>A service of the running host (counters, caches) for a test to inspect.</summary>
    internal T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>
    /// Starts a collector; pass the directory and ports of a stopped one to restart it on the same store. Lines logged at
    /// Warning and above also go to <paramref name="logs"/> when given.
    /// </summary>
    public static async Task<CollectorServer> StartAsync(IDictionary<string, string?>? extra = null, string? directory = null,
        int? grpc = null, int? api = null, bool deleteOnDispose = true, ILoggerProvider? logs = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("nexwatt-collector-").FullName;
        // A free port is found by binding port 0 and letting it go; until Kestrel binds it, anything else on the machine
        // (another test's outgoing connections take ephemeral ports from the same range) may take it. Ports the caller
        // chose (a restart on the same ports) are not retried.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(extra, directory, grpc ?? FreePort(), api ?? FreePort(), deleteOnDispose, logs).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException && grpc is null && api is null && attempt < 5)
            {
            }
        }
    }

    private static async Task<CollectorServer> TryStartAsync(IDictionary<string, string?>? extra, string directory, int grpcPort, int apiPort, bool deleteOnDispose,
        ILoggerProvider? logs)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Collector:Port"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Collector:ManagementPort"] = apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Collector:Storage:Provider"] = "sqlite",
            ["Collector:Storage:SqlitePath"] = Path.Combine(directory, "collector.db"),
            ["Collector:Management:Tokens:0"] = AdminToken,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var app = CollectorHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            if (logs is not null) builder.Logging.AddProvider(logs);
        });
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            // Stop what did start (storage, background services) before the next attempt opens the same store.
            try { await app.StopAsync().ConfigureAwait(false); }
            catch (Exception stop) when (stop is InvalidOperationException or OperationCanceledException or IOException) { }
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new CollectorServer(app, grpcPort, apiPort, directory, deleteOnDispose);
    }

    /// <summary>Registers a site (returning its token) and an asset linked to one of the site's devices.</summary>
    public async Task<string> RegisterSiteWithAssetAsync(string siteId, string assetId, string deviceId, string type = "solar")
    {
        var site = await Api.PostAsJsonAsync("/v1/sites", new { site_id = siteId });
        site.EnsureSuccessStatusCode();
        var token = (await site.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var asset = await Api.PostAsJsonAsync("/v1/assets/register", new
        {
            asset_id = assetId, type, inverter = "test", capacity_kw = 10, storage_kwh = type == "battery" ? 13.5 : (double?)null,
            meter_id = "m-1", iso_zone = "PJM", telemetry_interval = 5,
        });
        Assert.True(asset.IsSuccessStatusCode, await asset.Content.ReadAsStringAsync());
        var link = await Api.PostAsJsonAsync($"/v1/assets/{assetId}/link", new { site_id = siteId, device_id = deviceId });
        Assert.True(link.IsSuccessStatusCode, await link.Content.ReadAsStringAsync());
        return token;
    }

    /// <summary>Uploads batches on one duplex call with the given site token and returns the acks.</summary>
    public async Task<IReadOnlyList<UploadAck>> UploadAsync(string? token, params TelemetryBatch[] batches)
    {
        using var call = Ingest.Upload(Token(token), DateTime.UtcNow.AddSeconds(30));
        var acks = new List<UploadAck>();
        var reader = Task.Run(async () => { await foreach (var ack in call.ResponseStream.ReadAllAsync()) acks.Add(ack); });
        try
        {
            foreach (var batch in batches) await call.RequestStream.WriteAsync(batch);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException) { /* the server ended the call: its status comes through the response stream */ }
        await reader;
        return acks;
    }

    /// <summary>Opens the site's setpoint stream (nexwatt.v1.SiteDispatch/StreamSetpoints) with its token.</summary>
    public AsyncServerStreamingCall<SignedSetpoint> StreamSetpoints(string token, CancellationToken cancellationToken = default) =>
        Dispatch.StreamSetpoints(new SetpointStreamRequest { AgentBootId = "test" }, Token(token), cancellationToken: cancellationToken);

    /// <summary>Acknowledges a setpoint over gRPC (nexwatt.v1.SiteDispatch/Acknowledge) with the site's token.</summary>
    public async Task<SetpointAckReceipt> AcknowledgeAsync(string token, SetpointAck ack) =>
        await Dispatch.AcknowledgeAsync(ack, Token(token), DateTime.UtcNow.AddSeconds(30));

    /// <summary>The site token header, or none.</summary>
    public static Metadata Token(string? token) => token is null ? [] : new Metadata { { "authorization", $"Bearer {token}" } };

    /// <summary>Battery telemetry: state of charge (model 802 SoC) and AC power (model 103 W), one reading each.</summary>
    public static TelemetryBatch BatteryBatch(string deviceId, ulong sequence, double socPct, double watts, DateTimeOffset time)
    {
        var batch = new TelemetryBatch { FirstSequence = sequence, LastSequence = sequence + 1 };
        var us = time.ToUnixTimeMilliseconds() * 1000;
        batch.Readings.Add(new Reading { Sequence = sequence, DeviceId = deviceId, ModelId = 802, Point = "SoC", Value = socPct, Unit = "%WHRtg", Quality = Quality.Good, SourceTimeUs = us });
        batch.Readings.Add(new Reading { Sequence = sequence + 1, DeviceId = deviceId, ModelId = 103, Point = "W", Value = watts, Unit = "W", Quality = Quality.Good, SourceTimeUs = us });
        return batch;
    }

    /// <summary>One batch of one reading of active power per sequence, one second apart.</summary>
    public static TelemetryBatch Batch(string? siteId, string deviceId, ulong firstSequence, int count, double watts, DateTimeOffset start, bool historical = false)
    {
        var batch = new TelemetryBatch { SiteId = siteId ?? "", FirstSequence = firstSequence, LastSequence = firstSequence + (ulong)count - 1, Historical = historical };
        for (var i = 0; i < count; i++)
            batch.Readings.Add(new Reading
            {
                Sequence = firstSequence + (ulong)i, DeviceId = deviceId, ModelId = 103, Point = "W", Value = watts + i, Unit = "W",
                Quality = Quality.Good, SourceTimeUs = start.AddSeconds(i).ToUnixTimeMilliseconds() * 1000,
            });
        return batch;
    }

    public ValueTask DisposeAsync() => DisposeAsync(_deleteOnDispose);

    /// <summary>Stops the collector and leaves its directory (store and keys) for a restart.</summary>
    public ValueTask DisposeAsyncKeepingDirectory() => DisposeAsync(deleteDirectory: false);

    private async ValueTask DisposeAsync(bool deleteDirectory)
    {
        if (_disposed) return;
        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        Api.Dispose();
        _channel.Dispose();
        if (deleteDirectory)
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
