using Nexwatt.Collector.Domain;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>An independent gRPC implementation (python grpcio) against the real collector: acks and error statuses.</summary>
public class GrpcioInteropTests
{
    [Fact]
    public async Task A_grpcio_client_gets_acks_duplicates_rejections_and_refusals_from_the_collector()
    {
        await using var server = await CollectorServer.StartAsync();
        var token = await server.RegisterSiteWithAssetAsync("site-py", "pv-py", "inverter");
        var stubs = Directory.CreateTempSubdirectory("nexwatt-grpcio-").FullName;
        var protos = Path.Combine(RepoPaths.Root, "protos");
        await using (var protoc = PeerProcess.Start("/usr/bin/protoc",
            new[] { "-I", protos, $"--python_out={stubs}" }.Concat(Directory.GetFiles(Path.Combine(protos, "nexwatt", "v1"), "*.proto").Select(f => Path.GetRelativePath(protos, f)))))
            Assert.True(await protoc.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, protoc.Log);

        await using var client = DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "grpcio_uploader.py"), stubs, $"127.0.0.1:{server.GrpcPort}", token);
        var code = await client.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(code == 0, client.Log);
        Assert.Contains("DONE", client.Log);
        Assert.Equal(6, client.Log.Split('\n').Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        var samples = await server.Store.GetSamplesAsync("pv-py", Measurement.ActivePowerW, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default);
        Assert.Equal(17, samples.Count); // 15 + the 2 good readings after the rejected batch; nothing from refused calls
        Directory.Delete(stubs, recursive: true);
    }
}
