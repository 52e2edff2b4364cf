using Nexwatt.EdgeAgent.Tests.Integration;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>The dispatch section is checked with the rest of the configuration: every problem at once, exit code 78.</summary>
public sealed class DispatchConfigurationTests
{
    [Fact]
    public async Task A_bad_dispatch_section_stops_the_agent_with_exit_code_78_and_names_each_problem()
    {
        var config = MqttUplinkTests.WriteConfig(new
        {
            SiteId = "site-1",
            Devices = new[] { new { Id = "battery", Host = "127.0.0.1", Port = 1502 } },
            Buffer = new { Path = MqttUplinkTests.TempBufferPath() },
            Dispatch = new { CollectorPublicKeyFile = "/nonexistent/collector.pem", RevertTimeout = "00:00:02", MaxSiteChargeW = -1 },
        });
        try
        {
            var (code, output) = await AgentProcess.RunAsync("run", "--config", config);
            Assert.True(code == 78, output);
            Assert.Contains("Agent:Dispatch:CollectorPublicKeyFile '/nonexistent/collector.pem' does not exist.", output);
            Assert.Contains("Agent:Dispatch:RevertTimeout 00:00:02 is out of range", output);
            Assert.Contains("Agent:Dispatch:MaxSiteChargeW -1", output);
            Assert.DoesNotContain("Unhandled exception", output);
        }
        finally { File.Delete(config); }
    }
}
