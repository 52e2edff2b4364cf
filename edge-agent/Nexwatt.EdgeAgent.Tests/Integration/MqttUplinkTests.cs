using System.Globalization;
using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The agent publishing to a real Mosquitto, checked by an independent decoder (paho + protoc-generated classes).
/// </summary>
public class MqttUplinkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    internal static string WriteConfig(object agent)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { Agent = agent }));
        return path;
    }

    internal static string TempBufferPath() => Path.Combine(Directory.CreateTempSubdirectory("nexwatt-buffer-").FullName, "buffer.db");

    private static async Task<(PeerProcess Server, int Port)> StartImageServerAsync(string image)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_image_server.py");
        var server = DebianPython.Start(script, Path.Combine(RepoPaths.SharedReference, "sunspec", "devices", image), "1");
        var ready = await server.WaitForLineAsync(l => l.StartsWith("READY port=", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return (server, int.Parse(ready.Split(' ')[1]["port=".Length..], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Published_readings_decode_with_classes_protoc_generated_and_match_the_device()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TelemetrySubscriber.StartAsync(broker.Port);
        var (device, devicePort) = await StartImageServerAsync("pysunspec_mbmap_test_inverter_1.xml");
        await using var _ = device;
        var config = WriteConfig(new
        {
            SiteId = "site-mqtt",
            DefaultPollInterval = "00:00:00.500",
            Devices = new[] { new { Id = "inverter", Host = "127.0.0.1", Port = devicePort, UnitId = 1 } },
            Buffer = new { Path = TempBufferPath() },
            Uplink = new { Mqtt = new { Enabled = true, Host = "127.0.0.1", Port = broker.Port, Tls = new { Enabled = false } } },
        });
        await using var agent = AgentProcess.Start(["run", "--config", config]);

        // The subscriber prints one line per reading as it decodes a message: wait for every point asserted on below,
        // not just one of them (PPVphAB comes before W in model 103, so it alone can arrive first).
        foreach (var point in new[] { "PPVphAB", "W", "Hz", "A", "WH" })
            await subscriber.WaitForAsync(l => l.Contains($"\"point\":\"{point}\"", StringComparison.Ordinal), Patience);
        var readings = subscriber.Lines("reading").Where(r => r.GetProperty("device").GetString() == "inverter").ToList();
        JsonElement Point(string name) => readings.First(r => r.GetProperty("point").GetString() == name);

        Assert.All(readings, r => Assert.Equal("site-mqtt", r.GetProperty("site").GetString()));
        Assert.Equal(2970, Point("W").GetProperty("value").GetDouble());
        Assert.Equal("W", Point("W").GetProperty("unit").GetString());
        Assert.Equal("QUALITY_GOOD", Point("W").GetProperty("quality").GetString());
        Assert.Equal(59.99, Point("Hz").GetProperty("value").GetDouble(), 9);
        Assert.Equal(12.4, Point("A").GetProperty("value").GetDouble(), 9);
        Assert.Equal(1234567, Point("WH").GetProperty("value").GetDouble());
        Assert.Equal(103, Point("W").GetProperty("model").GetInt32());
        // Not implemented on the device: no value and said so, never 65535 or 0.
        Assert.Equal(JsonValueKind.Null, Point("PPVphAB").GetProperty("value").ValueKind);
        Assert.Equal("QUALITY_NOT_IMPLEMENTED", Point("PPVphAB").GetProperty("quality").GetString());
        // Source time is the agent's clock at the device's answer, within this test's lifetime.
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(Point("W").GetProperty("ts_us").GetInt64() / 1000);
        Assert.InRange(ts, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
        var sequences = readings.Select(r => r.GetProperty("seq").GetUInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());

        // Birth: retained ONLINE status naming the device as discovery found it.
        await subscriber.WaitForAsync(l => l.Contains("\"state\":\"STATE_ONLINE\"") && l.Contains("SunSpecTest"), Patience);
        // Death: the agent dies without a word; the broker publishes its will.
        agent.Kill();
        await subscriber.WaitForAsync(l => l.Contains("\"kind\":\"status\"") && l.Contains("\"state\":\"STATE_OFFLINE\""), Patience);
        File.Delete(config);
    }

    [Fact]
    public async Task Over_mutual_TLS_a_site_with_its_certificate_publishes_and_one_without_is_refused()
    {
        using var certificates = TestCertificates.Create();
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Tls = certificates, RequireClientCertificate = true });
        await using var subscriber = await TelemetrySubscriber.StartAsync(broker.Port);
        await using var site = await SimulatedSite.StartAsync("--battery", "127.0.0.1:0");
        var battery = site.Single("battery");
        var (certificate, key) = certificates.IssueClientCertificate("site-tls");

        object Config(string siteId, string? clientCertificate, string? clientKey) => new
        {
            SiteId = siteId,
            DefaultPollInterval = "00:00:00.500",
            Devices = new[] { new { Id = "battery", Host = battery.Host, Port = battery.Port, UnitId = battery.Unit } },
            Buffer = new { Path = TempBufferPath() },
            Uplink = new
            {
                Mqtt = new
                {
                    Enabled = true, Host = "127.0.0.1", Port = broker.TlsPort,
                    Tls = new { Enabled = true, CaCertificateFile = certificates.CaCertificateFile, ClientCertificateFile = clientCertificate, ClientKeyFile = clientKey, ServerName = "localhost" },
                },
            },
        };
        var good = WriteConfig(Config("site-tls", certificate, key));
        var anonymous = WriteConfig(Config("site-nocert", null, null));
        await using var trusted = AgentProcess.Start(["run", "--config", good]);
        await using var refused = AgentProcess.Start(["run", "--config", anonymous]);

        await subscriber.WaitForAsync(l => l.Contains("\"site\":\"site-tls\"") && l.Contains("\"point\":\"SoC\""), Patience);
        await refused.WaitForLineAsync(l => l.Contains("Nexwatt.Protocols.Mqtt", StringComparison.Ordinal) && (l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("lost", StringComparison.OrdinalIgnoreCase) || l.Contains("refused", StringComparison.OrdinalIgnoreCase)), Patience);
        Assert.DoesNotContain(subscriber.Lines("batch"), b => b.GetProperty("site").GetString() == "site-nocert");
        File.Delete(good);
        File.Delete(anonymous);
    }
}
