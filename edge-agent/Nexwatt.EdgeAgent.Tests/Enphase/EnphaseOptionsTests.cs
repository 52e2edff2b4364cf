using Microsoft.Extensions.Configuration;
using Nexwatt.Configuration;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

public sealed class EnphaseOptionsTests
{
    private static AgentOptions Gateway(Action<DeviceOptions>? change = null)
    {
        var device = new DeviceOptions { Id = "envoy", Type = "enphase" };
        device.Enphase.Url = "http://192.168.1.60";
        change?.Invoke(device);
        return new AgentOptions { SiteId = "site-1", Devices = [device] };
    }

    private static IReadOnlyList<string> Problems(AgentOptions options)
    {
        var result = new AgentOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Fact]
    public void AGatewayNeedsNoHost_AndPollsAtItsMeterInterval()
    {
        var options = Gateway();
        Assert.Empty(Problems(options));
        Assert.Equal(TimeSpan.FromSeconds(15), options.Devices[0].EffectivePollInterval(options.DefaultPollInterval));
        Assert.Equal(TimeSpan.FromMinutes(5), options.Devices[0].Enphase.InverterInterval);
    }

    [Theory]
    [InlineData("Url", "Agent:Devices:0:Enphase:Url 'envoy.local' must be http://host or https://host[:port]")]
    [InlineData("MeterInterval", "Agent:Devices:0:Enphase:MeterInterval 00:00:02 is below the 5 s floor")]
    [InlineData("Https", "Agent:Devices:0:Enphase:TokenFile is required with an https Url")]
    [InlineData("TokenFile", "Agent:Devices:0:Enphase:TokenFile '/nonexistent/token' does not exist")]
    [InlineData("Id", "Agent:Devices:0:Id is required for an enphase device")]
    [InlineData("Installer", "Agent:Devices:0:Enphase:Password is required for user installer")]
    [InlineData("Rating", "Agent:Devices:0:Enphase:BatteryRatingW -5 must be a power above 0 W")]
    public void EachMistakeNamesItsKeyAndTheExpectedForm(string mistake, string expected)
    {
        var options = Gateway(d =>
        {
            switch (mistake)
            {
                case "Url": d.Enphase.Url = "envoy.local"; break;
                case "MeterInterval": d.Enphase.MeterInterval = TimeSpan.FromSeconds(2); break;
                case "Https": d.Enphase.Url = "https://192.168.1.60"; break;
                case "TokenFile": d.Enphase.TokenFile = "/nonexistent/token"; break;
                case "Id": d.Id = null; break;
                case "Installer": d.Enphase.User = "installer"; break;
                case "Rating": d.Enphase.BatteryRatingW = -5; break;
            }
        });
        Assert.Contains(Problems(options), p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TheConfigurationCheckKnowsTheEnphaseKeys_AndReadsDurations()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agent:SiteId"] = "s1", ["Agent:Devices:0:Id"] = "envoy", ["Agent:Devices:0:Type"] = "enphase",
            ["Agent:Devices:0:Enphase:Url"] = "http://192.168.1.60", ["Agent:Devices:0:Enphase:MeterInterval"] = "10s",
            ["Agent:Devices:0:Enphase:InvertrInterval"] = "5m", ["Agent:Devices:0:Enphase:BatteryRatingW"] = "3840",
        });
        var warnings = AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>());
        Assert.Equal(["Agent:Devices:0:Enphase:InvertrInterval is not a known setting; it is ignored (did you mean Agent:Devices:0:Enphase:InverterInterval?)."], warnings);
        var options = configuration.GetSection("Agent").Get<AgentOptions>()!;
        Assert.Equal(TimeSpan.FromSeconds(10), options.Devices[0].Enphase.MeterInterval);
        Assert.Equal(3840, options.Devices[0].Enphase.BatteryRatingW);
    }
}
