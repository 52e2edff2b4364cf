using Microsoft.Extensions.Configuration;
using Nexwatt.Configuration;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>The configuration as text, checked against the agent's options classes before binding.</summary>
public class AgentConfigurationCheckTests
{
    private static ConfigurationManager Configuration(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        return configuration;
    }

    private static readonly (string, string)[] OneDevice = [("Agent:SiteId", "s1"), ("Agent:Devices:0:Host", "127.0.0.1")];

    [Fact]
    public void The_binder_alone_drops_a_device_whose_value_does_not_convert()
    {
        // Why the check exists: inside a list the binder swallows the conversion error and skips the element.
        var configuration = Configuration([.. OneDevice, ("Agent:Devices:0:Port", "15o2")]);
        var options = configuration.GetSection("Agent").Get<AgentOptions>()!;
        Assert.Empty(options.Devices);
    }

    [Fact]
    public void A_value_that_would_not_bind_is_an_error_naming_the_key_and_the_form()
    {
        var configuration = Configuration([.. OneDevice, ("Agent:Devices:0:Port", "15o2"), ("Agent:Devices:0:Timeout", "2x"),
            ("Agent:Discovery:Enabled", "yes"), ("Agent:DefaultPollInterval", "5"), ("Agent:Dispatch:MaxSiteDischargeW", "5kW"), ("Agent:Uplink:Mqtt:Port", "")]);
        var ex = Assert.Throws<InvalidConfigurationException>(() => AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>()));
        Assert.Equal(
        [
            "Agent:DefaultPollInterval '5' has no unit; write e.g. '5s' or '5ms' (a bare number would be read as days).",
            "Agent:Devices:0:Port '15o2' is not a whole number.",
            "Agent:Devices:0:Timeout '2x' is not a duration such as '500ms', '5s', '1.5m', '1h' or '00:00:05'.",
            "Agent:Discovery:Enabled 'yes' is not true or false.",
            "Agent:Dispatch:MaxSiteDischargeW '5kW' is not a number such as 12 or 0.5.",
        ], ex.Problems);
    }

    [Fact]
    public void Durations_typed_as_5s_bind_everywhere_a_TimeSpan_is_configured()
    {
        var configuration = Configuration([.. OneDevice, ("Agent:Devices:0:PollInterval", "5s"), ("Agent:Devices:0:Timeout", "2s"),
            ("Agent:Devices:0:Quirks:PauseAfterConnect", "250ms"), ("Agent:DefaultPollInterval", "1.5m"), ("Agent:Buffer:CommitInterval", "100ms"),
            ("Agent:Uplink:StatusInterval", "1h"), ("Agent:Dispatch:RevertTimeout", "00:01:00")]);
        Assert.Empty(AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>()));
        var options = configuration.GetSection("Agent").Get<AgentOptions>()!;
        var device = Assert.Single(options.Devices);
        Assert.Equal(TimeSpan.FromSeconds(5), device.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), device.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), device.Quirks.PauseAfterConnect);
        Assert.Equal(TimeSpan.FromSeconds(90), options.DefaultPollInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Buffer.CommitInterval);
        Assert.Equal(TimeSpan.FromHours(1), options.Uplink.StatusInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Dispatch.RevertTimeout);
    }

    [Fact]
    public void Unknown_keys_and_environment_sections_are_warnings_with_the_closest_known_key()
    {
        var configuration = Configuration([.. OneDevice, ("Agent:Devices:0:Hots", "x"), ("Agent:Uplink:Mqtt:KeepAlve", "30s"), ("Agent:Logging:Level", "x")]);
        var environment = new Dictionary<string, string> { ["NEXWATT_Agnet__SiteId"] = "x", ["NEXWATT_Agent__SiteId"] = "s1", ["NEXWATT_CONFIG"] = "/x", ["OTHER_Agnet"] = "x" };
        var warnings = AgentConfigurationCheck.Apply(configuration, environment);
        Assert.Equal(4, warnings.Count);
        Assert.Equal("Agent:Devices:0:Hots is not a known setting; it is ignored (did you mean Agent:Devices:0:Host?).", warnings[0]);
        // The keys known under Agent grow with every kind of device and service; the warning lists them all.
        Assert.StartsWith("Agent:Logging is not a known setting; it is ignored (known under Agent: SiteId, Devices, Discovery, ", warnings[1]);
        foreach (var key in new[] { "Uplink", "Buffer", "Dispatch", "RegisterMapsFolder", "Metrics" })
            Assert.Contains($" {key},", warnings[1].Replace(").", ",", StringComparison.Ordinal));
        Assert.Equal("Agent:Uplink:Mqtt:KeepAlve is not a known setting; it is ignored (did you mean Agent:Uplink:Mqtt:KeepAlive?).", warnings[2]);
        Assert.Equal("environment variable NEXWATT_Agnet__SiteId: 'Agnet' is not a known section; it is ignored (did you mean NEXWATT_Agent__...?).", warnings[3]);
    }

    [Fact]
    public void The_shipped_example_configuration_has_no_unknown_key()
    {
        var configuration = new ConfigurationManager();
        configuration.AddJsonFile(Path.Combine(Nexwatt.Testing.RepoPaths.Root, "packaging", "etc", "agent.json"));
        Assert.Empty(AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>()));
    }
}
