using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Nexwatt.HardwareSim.Enphase;

namespace Nexwatt.HardwareSim.Tests.Enphase;

/// <summary>A simulated gateway in process on 127.0.0.1:0 and HttpClients that talk to it.</summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private GatewayFixture(EnphaseGatewayServer server, List<string> log)
    {
        Server = server;
        Log = log;
    }

    public EnphaseGatewayServer Server { get; }

    /// <summary>Lines the simulator logged (AUTH, TARIFF, CERTIFICATE).</summary>
    public List<string> Log { get; }

    public static async Task<GatewayFixture> StartAsync(EnphaseGatewayPlan plan, TimeProvider? time = null)
    {
        var log = new List<string>();
        var server = await EnphaseGatewayHost.StartAsync(plan with { Address = IPAddress.Loopback, Port = 0 }, time ?? TimeProvider.System, line => { lock (log) log.Add(line); }, CancellationToken.None);
        return new GatewayFixture(server, log);
    }

    public static Task<GatewayFixture> StartAsync(int firmware, GatewayFaultPlan? faults = null, TimeProvider? time = null)
        => StartAsync(new EnphaseGatewayPlan { Generation = GatewayGeneration.ForMajor(firmware)!, Faults = faults ?? GatewayFaultPlan.None }, time);

    /// <summary>
    /// A client that accepts only the certificate with the given fingerprint (the gateway's own, by default) and
    /// records the fingerprint it saw; plain HTTP below firmware 7.
    /// </summary>
    public HttpClient Client(string? bearer = null, ICredentials? credentials = null, string? pin = null, Action<string>? sawCertificate = null, TimeSpan? timeout = null, bool cookies = false)
    {
        var handler = new HttpClientHandler { Credentials = credentials, UseCookies = cookies, PreAuthenticate = false };
        if (Server.Certificate is not null)
        {
            var expected = pin ?? Server.Certificate.Fingerprint;
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                var seen = certificate!.GetCertHashString(HashAlgorithmName.SHA256);
                sawCertificate?.Invoke(seen);
                return seen == expected;
            };
        }
        var client = new HttpClient(handler) { BaseAddress = Server.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        _clients.Add(client);
        return client;
    }

    public HttpClient OwnerClient() => Client(bearer: Server.Tokens.Mint("owner", TimeSpan.FromDays(365)));

    public string EnvoyPassword => DigestAuthenticator.DefaultEnvoyPassword(Server.Serial);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await Server.DisposeAsync();
    }
}
