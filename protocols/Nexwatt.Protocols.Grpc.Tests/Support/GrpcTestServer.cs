using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Grpc.AspNetCore;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Grpc.Tests.Support;

/// <summary>Kestrel in process on 127.0.0.1:0, HTTP/2 only (h2c, or TLS with a required client certificate).</summary>
internal sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, Uri address, ListLoggerProvider logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
    }

    public Uri Address { get; }

    public ListLoggerProvider Logs { get; }

    public static async Task<GrpcTestServer> StartAsync(Action<WebApplication> map, GrpcServerOptions? options = null, TestCertificates? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (options is not null) builder.Services.AddSingleton(options);
        if (tls is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (tls is null) return;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = LoadPem(tls.ServerCertificateFile, tls.ServerKeyFile);
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                var ca = X509CertificateLoader.LoadCertificateFromFile(tls.CaCertificateFile);
                https.ClientCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                };
            });
        }));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var address = new Uri(tls is null ? bound : bound.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        return new GrpcTestServer(app, address, logs);
    }

    /// <summary>A client over cleartext HTTP/2 (h2c).</summary>
    public GrpcClient CreateClient(GrpcClientOptions? options = null)
        => new(new HttpClient(GrpcHttpHandlers.CreatePlainText()) { Timeout = Timeout.InfiniteTimeSpan }, Address, options);

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private static X509Certificate2 LoadPem(string certificateFile, string keyFile)
    {
        using var ephemeral = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}

/// <summary>Collects log entries, to check what the server logged (and what it did not send).</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, int EventId, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void Dispose() { }

    private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Entries.Enqueue((category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
