using Nexwatt.Protocols.Grpc.AspNetCore;
using Nexwatt.Protocols.Grpc.Tests.Support;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Grpc.Tests.Server;

/// <summary>TLS with a required client certificate: the agent's handler from PEM files, the collector reading the caller's certificate.</summary>
public sealed class MutualTlsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TestCertificates _certificates = TestCertificates.Create();

    [Fact]
    public async Task Duplex_upload_over_mutual_tls_sees_the_client_certificate()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcDuplexStreaming(Contract.Upload, async (batches, acks, context) =>
        {
            var subject = context.ClientCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false) ?? "(none)";
            await foreach (var batch in batches)
            {
                var ack = Contract.AckFor(batch);
                ack.Message = subject;
                await acks.WriteAsync(ack);
            }
        }), tls: _certificates);
        Assert.Equal("https", server.Address.Scheme);
        using var http = new HttpClient(GrpcHttpHandlers.CreateMutualTls(_certificates.CaCertificateFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile));
        var client = new GrpcClient(http, server.Address);
        await using var call = client.DuplexStreaming(Contract.Upload);
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(Contract.Batch((ulong)i * 2 + 1));
            Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
            Assert.Equal("nexwatt-test-client", call.ResponseStream.Current.Message);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task Without_a_client_certificate_or_with_another_ca_the_call_is_unavailable()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcUnary(Contract.Acknowledge,
            (_, _) => Task.FromResult(new SetpointAckReceipt { Accepted = true })), tls: _certificates);
        using var noCertificate = new HttpClient(GrpcHttpHandlers.CreateMutualTls(_certificates.CaCertificateFile));
        var ex = await Assert.ThrowsAsync<GrpcException>(() => new GrpcClient(noCertificate, server.Address).UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.True(ex.StatusCode == GrpcStatusCode.Unavailable, ex.ToString());

        using var other = TestCertificates.Create(caName: "Some Other CA");
        using var wrongCa = new HttpClient(GrpcHttpHandlers.CreateMutualTls(other.CaCertificateFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile));
        var ex2 = await Assert.ThrowsAsync<GrpcException>(() => new GrpcClient(wrongCa, server.Address).UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience));
        Assert.Equal(GrpcStatusCode.Unavailable, ex2.StatusCode); // the server's certificate is not trusted: the CA is pinned

        using var good = new HttpClient(GrpcHttpHandlers.CreateMutualTls(_certificates.CaCertificateFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile));
        Assert.True((await new GrpcClient(good, server.Address).UnaryAsync(Contract.Acknowledge, new SetpointAck()).WaitAsync(Patience)).Accepted);
    }

    public void Dispose() => _certificates.Dispose();
}
