using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

/// <summary>TLS with a required client certificate: the agent's channel from PEM files (pinned CA), the server reading the caller's certificate.</summary>
public sealed class GrpcMutualTlsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Duplex_upload_over_mutual_tls_sees_the_client_certificate()
    {
        await using var server = await StartAsync();
        using var channel = Channel(server.Address, _certificates.CaCertificateFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile);
        var (ingest, _) = await channel.ClientsAsync(CancellationToken.None);
        using var call = ingest.Upload(await channel.CallOptionsAsync(DateTimeOffset.UtcNow.AddSeconds(30), CancellationToken.None));
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new TelemetryBatch { FirstSequence = (ulong)i * 2 + 1, LastSequence = (ulong)i * 2 + 2 });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));
            Assert.Equal("nexwatt-test-client", call.ResponseStream.Current.Message);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));
    }

    [Fact]
    public async Task Without_a_client_certificate_or_with_another_ca_the_call_is_unavailable()
    {
        await using var server = await StartAsync();
        using (var noCertificate = Channel(server.Address, _certificates.CaCertificateFile, null, null))
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => AcknowledgeAsync(noCertificate));
            Assert.True(GrpcRetry.StatusOf(ex) == StatusCode.Unavailable, ex.ToString());
        }

        using var other = TestCertificates.Create(caName: "Some Other CA");
        using (var wrongCa = Channel(server.Address, other.CaCertificateFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile))
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => AcknowledgeAsync(wrongCa));
            // The server's certificate is not trusted (the CA is pinned): the call never reaches it, retried as a path failure.
            Assert.Equal(StatusCode.Unavailable, GrpcRetry.StatusOf(ex));
            Assert.IsType<System.Security.Authentication.AuthenticationException>(ex.Status.DebugException?.InnerException);
        }

        using var good = Channel(server.Address, _certificates.CaCertificateFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile);
        Assert.True((await AcknowledgeAsync(good)).Accepted);
    }

    private static GrpcCollectorChannel Channel(Uri address, string ca, string? certificate, string? key) => new(new GrpcUplinkOptions
    {
        Enabled = true, Address = address.ToString(), CaCertificateFile = ca, ClientCertificateFile = certificate, ClientKeyFile = key,
    }, NullLoggerFactory.Instance);

    private static async Task<SetpointAckReceipt> AcknowledgeAsync(GrpcCollectorChannel channel)
    {
        var (_, dispatch) = await channel.ClientsAsync(CancellationToken.None);
        return await dispatch.AcknowledgeAsync(new SetpointAck(), await channel.CallOptionsAsync(DateTimeOffset.UtcNow.AddSeconds(20), CancellationToken.None)).ResponseAsync.WaitAsync(Patience);
    }

    private async Task<TlsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = LoadPem(_certificates.ServerCertificateFile, _certificates.ServerKeyFile);
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                var ca = X509CertificateLoader.LoadCertificateFromFile(_certificates.CaCertificateFile);
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
        app.MapGrpcService<EchoSubject>();
        app.MapGrpcService<AcceptAll>();
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        // The server's certificate is issued for localhost: the name must match the address called.
        return new TlsServer(app, new Uri(bound.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)));
    }

    private static X509Certificate2 LoadPem(string certificateFile, string keyFile)
    {
        using var ephemeral = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private sealed record TlsServer(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await App.StopAsync(stop.Token);
            await App.DisposeAsync();
        }
    }

    /// <summary>Acks each batch with the subject CN of the caller's certificate.</summary>
    private sealed class EchoSubject : TelemetryIngest.TelemetryIngestBase
    {
        public override async Task Upload(IAsyncStreamReader<TelemetryBatch> requestStream, IServerStreamWriter<UploadAck> responseStream, ServerCallContext context)
        {
            var subject = context.GetHttpContext().Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? "(none)";
            await foreach (var batch in requestStream.ReadAllAsync())
                await responseStream.WriteAsync(new UploadAck { FirstSequence = batch.FirstSequence, LastSequence = batch.LastSequence, Status = UploadAck.Types.Status.Stored, Message = subject });
        }
    }

    private sealed class AcceptAll : SiteDispatch.SiteDispatchBase
    {
        public override Task<SetpointAckReceipt> Acknowledge(SetpointAck request, ServerCallContext context) => Task.FromResult(new SetpointAckReceipt { Accepted = true });
    }
}
