using System.Security.Authentication;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Integration;

/// <summary>TLS with a test CA (only that CA trusted) and mutual TLS against Mosquitto.</summary>
public sealed class MosquittoTlsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Tls_with_the_test_ca_connects_and_publishes(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Tls = _certificates });
        await using var sub = await Peers.MosquittoSubAsync(broker, "nx/tls", 1, version);
        var logger = new ListLogger();
        await using var client = MosquittoClientTests.NewClient(broker.TlsPort!.Value, version, logger, o =>
            o.Tls = new MqttTlsOptions { Enabled = true, CaCertificateFile = _certificates.CaCertificateFile });
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        await client.PublishAsync("nx/tls", "secure"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask().WaitAsync(Timeout);
        Assert.Equal(0, await sub.WaitForExitAsync(Timeout));
        Assert.Equal(["nx/tls secure"], Peers.Received(sub));
    }

    [Fact]
    public async Task A_broker_certificate_from_another_ca_is_not_trusted()
    {
        using var other = TestCertificates.Create(caName: "Some Other CA");
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Tls = _certificates });
        var logger = new ListLogger();
        await using var client = MosquittoClientTests.NewClient(broker.TlsPort!.Value, MqttProtocolVersion.V500, logger, o =>
            o.Tls = new MqttTlsOptions { Enabled = true, CaCertificateFile = other.CaCertificateFile });
        await client.StartAsync(CancellationToken.None);
        await logger.WaitForAsync("connect attempt 1 failed");
        Assert.IsType<AuthenticationException>(client.LastConnectError);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_wrong_server_name_is_not_trusted()
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Tls = _certificates });
        var logger = new ListLogger();
        await using var client = MosquittoClientTests.NewClient(broker.TlsPort!.Value, MqttProtocolVersion.V500, logger, o =>
            o.Tls = new MqttTlsOptions { Enabled = true, CaCertificateFile = _certificates.CaCertificateFile, ServerName = "broker.example.com" });
        await client.StartAsync(CancellationToken.None);
        await logger.WaitForAsync("connect attempt 1 failed");
        Assert.IsType<AuthenticationException>(client.LastConnectError);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Mutual_tls_accepts_a_client_certificate_and_refuses_a_client_without_one(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Tls = _certificates, RequireClientCertificate = true });
        var logger = new ListLogger();
        await using (var client = MosquittoClientTests.NewClient(broker.TlsPort!.Value, version, logger, o => o.Tls = new MqttTlsOptions
        {
            Enabled = true,
            CaCertificateFile = _certificates.CaCertificateFile,
            ClientCertificateFile = _certificates.ClientCertificateFile,
            ClientKeyFile = _certificates.ClientKeyFile,
        }))
        {
            await client.StartAsync(CancellationToken.None);
            await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await client.PublishAsync("nx/mtls", "ok"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask().WaitAsync(Timeout);
        }

        var anonymousLog = new ListLogger();
        await using var anonymous = MosquittoClientTests.NewClient(broker.TlsPort!.Value, version, anonymousLog, o =>
            o.Tls = new MqttTlsOptions { Enabled = true, CaCertificateFile = _certificates.CaCertificateFile });
        await anonymous.StartAsync(CancellationToken.None);
        await anonymousLog.WaitForAsync("connect attempt 2 failed");
        Assert.False(anonymous.IsConnected);
        Assert.NotNull(anonymous.LastConnectError);
    }
}
