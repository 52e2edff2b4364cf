using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Discovery.Enphase;
using Nexwatt.EdgeAgent.Discovery.Mdns;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Discovery;

/// <summary>Enphase gateways found by /info probes and by mDNS, against hardware-sim and an independent Python responder.</summary>
public sealed class EnphaseDiscoveryTests
{
    [Fact]
    public async Task Scan_lists_simulated_gateways_of_both_transports_by_info_probe_beside_SunSpec()
    {
        await using var https = await SimulatedEnphaseGateway.StartAsync("--firmware", "8", "--gateway-serial", "122300000008");
        await using var http = await SimulatedEnphaseGateway.StartAsync("--firmware", "5", "--gateway-serial", "122300000005");
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0");

        var (code, output) = await AgentProcess.RunAsync("scan", "--hosts", "127.0.0.1", "--ports", site.Single("inverter").Port.ToString(),
            "--enphase-ports", $"{https.Endpoint.Port},{http.Endpoint.Port}", "--no-mdns", "--json", "--timeout", "3s");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(AgentProcess.JsonPart(output));
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Single(entries, e => e.GetProperty("kind").GetString() == "sunspec");
        var gateways = entries.Where(e => e.GetProperty("kind").GetString() == "enphase").ToDictionary(e => e.GetProperty("serial").GetString()!);
        Assert.Equal(2, gateways.Count);
        var eight = gateways["122300000008"];
        Assert.Equal(https.Endpoint.GetLeftPart(UriPartial.Authority), eight.GetProperty("url").GetString());
        Assert.StartsWith("https://", eight.GetProperty("url").GetString());
        Assert.Equal("8.2.4345", eight.GetProperty("firmware").GetString());
        Assert.True(eight.GetProperty("webTokens").GetBoolean());
        Assert.Equal("info", eight.GetProperty("foundBy").GetString());
        var five = gateways["122300000005"];
        Assert.StartsWith("http://", five.GetProperty("url").GetString());
        Assert.Equal("5.0.62", five.GetProperty("firmware").GetString());
        Assert.False(five.GetProperty("webTokens").GetBoolean());
    }

    // --timeout 3s: the probes must find the gateways on a loaded CI machine too; speed is the bench's business.
    [Fact]
    public async Task Scan_table_names_the_gateway_and_its_auth()
    {
        await using var gateway = await SimulatedEnphaseGateway.StartAsync("--firmware", "7");
        var (code, output) = await AgentProcess.RunAsync("scan", "--hosts", "127.0.0.1", "--ports", "1", "--enphase-ports", gateway.Endpoint.Port.ToString(), "--no-mdns", "--timeout", "3s");
        Assert.True(code == 0, output);
        Assert.Matches($@"(?m)^https://127\.0\.0\.1:{gateway.Endpoint.Port}\s+{gateway.Serial}\s+7\.6\.175\s+jwt\s+yes\s+info", output);
    }

    [Fact]
    public async Task Mdns_answer_from_an_independent_responder_is_resolved_and_read_at_its_address()
    {
        await using var gateway = await SimulatedEnphaseGateway.StartAsync("--firmware", "7", "--gateway-serial", "122300000777");
        await using var responder = DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "mdns_envoy_responder.py"),
            gateway.Endpoint.Port.ToString(), "122300000777", "7.6.175");
        var ready = await responder.WaitForLineAsync(l => l.StartsWith("READY port=", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var target = new IPEndPoint(IPAddress.Loopback, int.Parse(ready["READY port=".Length..].Trim()));

        var browser = new MdnsBrowser(TimeProvider.System);
        var instance = Assert.Single(await browser.BrowseAsync(EnphaseScanner.ServiceName, target, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal("envoy122300000777._enphase-envoy._tcp.local", instance.Instance);
        Assert.Equal("envoy.local", instance.HostName);
        Assert.Equal(IPAddress.Loopback, instance.Address);
        Assert.Equal(gateway.Endpoint.Port, instance.Port);
        Assert.Equal("122300000777", instance.Text["serialnum"]);
        Assert.Equal(0, browser.MalformedDatagrams);

        var scanner = new EnphaseScanner(TimeProvider.System, NullLogger.Instance);
        var found = Assert.Single(await scanner.ScanAsync(new EnphaseScanOptions([], [], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), target), CancellationToken.None));
        Assert.Equal("mdns+info", found.FoundBy);
        Assert.Equal("7.6.175", found.ProtocolVersion);
        Assert.Equal("7.6.175", found.Firmware);
        Assert.Equal(gateway.Endpoint.GetLeftPart(UriPartial.Authority), found.Url);
        Assert.Contains("ANSWERED", responder.Log);
    }
}
