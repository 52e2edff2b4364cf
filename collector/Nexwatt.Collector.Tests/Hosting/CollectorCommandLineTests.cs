using System.Net;
using System.Net.Sockets;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Hosting;

/// <summary>The collector binary's command line: --help says what it reads and exits; a port already taken is one line and exit 69.</summary>
public class CollectorCommandLineTests
{
    [Fact]
    public async Task Help_names_the_configuration_sources_and_listeners_and_starts_nothing()
    {
        await using var collector = PeerProcess.StartDotnetTool("Nexwatt.Collector", "nexwatt-collector", ["--help"]);
        var code = await collector.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, collector.Log);
        foreach (var expected in new[] { "/etc/nexwatt/collector.json", "NEXWATT_", "Collector:ManagementPort", "Collector:Management:Tokens", "--config", "run" })
            Assert.Contains(expected, collector.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", collector.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_held_by_another_process_is_one_line_and_exit_69_without_a_stack_trace()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var directory = Directory.CreateTempSubdirectory("nexwatt-collector-port-").FullName;
        try
        {
            await using var collector = PeerProcess.StartDotnetTool("Nexwatt.Collector", "nexwatt-collector", [], new Dictionary<string, string>
            {
                ["NEXWATT_COLLECTOR_CONFIG"] = "/nonexistent/collector.json",
                ["NEXWATT_Collector__Port"] = taken.ToString(),
                ["NEXWATT_Collector__ManagementPort"] = LoopbackPorts.Free().ToString(),
                ["NEXWATT_Collector__Storage__SqlitePath"] = Path.Combine(directory, "collector.db"),
            });
            var code = await collector.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var log = collector.Log;
            Assert.True(code == 69, $"exit code {code}:\n{log}");
            Assert.Contains($"nexwatt-collector: cannot listen: 127.0.0.1:{taken} is already in use by another process", log, StringComparison.Ordinal);
            Assert.DoesNotContain("Hosting failed to start", log, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", log);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
