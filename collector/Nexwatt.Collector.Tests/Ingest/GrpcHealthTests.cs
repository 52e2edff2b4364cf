using Grpc.Core;
using Grpc.Health.V1;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>The standard grpc.health.v1 service on the gRPC port: open to any caller, unlike the site-facing services.</summary>
public sealed class GrpcHealthTests
{
    [Fact]
    public async Task The_health_service_answers_serving_without_a_site_identity_while_site_calls_still_need_one()
    {
        await using var server = await CollectorServer.StartAsync();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{server.GrpcPort}");
        var health = new Health.HealthClient(channel);

        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.AcknowledgeAsync("not-a-site-token", new Protos.V1.SetpointAck { SetpointId = "sp-1" }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }
}
