using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Tests;

public class AgentOptionsValidatorTests
{
    private static AgentOptions Valid() => new()
    {
        SiteId = "site-1",
        Devices = [new DeviceOptions { Id = "inv", Host = "192.168.1.50", Port = 502, UnitId = 1 }],
    };

    private static IReadOnlyList<string> Problems(AgentOptions options)
    {
        var result = new AgentOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Fact]
    public void A_complete_configuration_passes() => Assert.Empty(Problems(Valid()));

    [Fact]
    public void An_unknown_device_type_is_named_with_its_key_and_the_known_types()
    {
        var options = Valid();
        options.Devices[0].Type = "fronius-solarapi";
        var problem = Assert.Single(Problems(options));
        Assert.Contains("Agent:Devices:0:Type 'fronius-solarapi' is unknown", problem);
        Assert.Contains("sunspec", problem);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(0, true)]
    [InlineData(10, false)]
    [InlineData(600, false)]
    public void A_grpc_upload_call_lifetime_under_ten_seconds_is_refused(int seconds, bool refused)
    {
        var options = Valid();
        options.Uplink.Grpc = new Nexwatt.EdgeAgent.Uplink.GrpcUplinkOptions
        {
            Enabled = true, Address = "http://127.0.0.1:50051", SiteToken = "token", UploadCallLifetime = TimeSpan.FromSeconds(seconds),
        };
        var problems = Problems(options);
        Assert.Equal(refused, problems.Any(p => p.StartsWith("Agent:Uplink:Grpc:UploadCallLifetime", StringComparison.Ordinal)
            && p.Contains("at least 00:00:10", StringComparison.Ordinal)));
        if (!refused) Assert.Empty(problems);
    }

    [Fact]
    public void A_negative_health_log_interval_is_refused()
    {
        var options = Valid();
        options.HealthLogInterval = TimeSpan.FromMinutes(-1);
        Assert.Contains(Problems(options), p => p.StartsWith("Agent:HealthLogInterval", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not an address!")]
    [InlineData("")]
    public void A_bad_address_is_refused(string host)
    {
        var options = Valid();
        options.Devices[0].Host = host;
        Assert.Contains(Problems(options), p => p.StartsWith("Agent:Devices:0:Host", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void A_port_out_of_range_is_refused(int port)
    {
        var options = Valid();
        options.Devices[0].Port = port;
        Assert.Contains($"Agent:Devices:0:Port {port} is out of range (1-65535).", Problems(options));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(248)]
    [InlineData(256)]
    public void A_unit_id_out_of_range_is_refused(int unit)
    {
        var options = Valid();
        options.Devices[0].UnitId = unit;
        Assert.Contains(Problems(options), p => p.StartsWith($"Agent:Devices:0:UnitId {unit}", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new AgentOptions
        {
            SiteId = "",
            Devices = [new DeviceOptions { Host = "", Port = 0, Type = "x" }, new DeviceOptions { Host = "h", Quirks = { MaxRegistersPerRead = 126, WordOrder = "Middle" } }],
            Discovery = { Enabled = true, Ranges = ["10.0.0.0/8"] },
        };
        var problems = Problems(options);
        Assert.Contains(problems, p => p.Contains("SiteId is empty"));
        Assert.Contains(problems, p => p.Contains("Devices:0:Type"));
        Assert.Contains(problems, p => p.Contains("Devices:0:Host"));
        Assert.Contains(problems, p => p.Contains("Devices:0:Port 0"));
        Assert.Contains(problems, p => p.Contains("Devices:1:Quirks:MaxRegistersPerRead 126"));
        Assert.Contains(problems, p => p.Contains("Devices:1:Quirks:WordOrder 'Middle'"));
        Assert.Contains(problems, p => p.Contains("16777216 addresses"));
    }

    [Fact]
    public void Two_devices_with_one_id_are_refused()
    {
        var options = Valid();
        options.Devices.Add(new DeviceOptions { Id = "inv", Host = "192.168.1.51" });
        Assert.Contains(Problems(options), p => p.Contains("'inv', which another device already uses"));
    }

    [Fact]
    public void No_devices_and_no_discovery_is_refused()
    {
        var options = Valid();
        options.Devices.Clear();
        Assert.Contains(Problems(options), p => p.StartsWith("No devices", StringComparison.Ordinal));
    }

    [Fact]
    public void A_site_id_that_cannot_be_part_of_a_topic_is_refused()
    {
        var options = Valid();
        options.SiteId = "site/1#";
        Assert.Contains(Problems(options), p => p.Contains("may hold only letters"));
    }
}
