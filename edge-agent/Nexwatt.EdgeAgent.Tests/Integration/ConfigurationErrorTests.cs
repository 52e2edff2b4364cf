using System.Text.Json;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The real agent binary started with a bad configuration: exit 78 and one line per problem on stderr, naming the
/// key (or the file and line), with no "Hosting failed to start" and no stack trace.
/// </summary>
public class ConfigurationErrorTests
{
    private static string WriteConfig(object agent)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { Agent = agent }));
        return path;
    }

    private static async Task<string[]> RunExpectingConfigurationErrorAsync(string[] arguments, Dictionary<string, string>? environment = null)
    {
        await using var agent = AgentProcess.Start(arguments, environment);
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var log = agent.Log;
        Assert.True(code == 78, $"exit code {code}:\n{log}");
        Assert.DoesNotContain("Hosting failed to start", log);
        Assert.DoesNotContain("Unhandled exception", log);
        // No stack frame: "   at Namespace.Type.Method(...)".
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", log);
        return log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static Dictionary<string, string> OneDeviceEnvironment(int port) => new()
    {
        ["NEXWATT_Agent__SiteId"] = "site-1",
        ["NEXWATT_Agent__Devices__0__Host"] = "127.0.0.1",
        ["NEXWATT_Agent__Devices__0__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task A_device_port_that_is_not_a_number_is_an_error_not_a_dropped_device()
    {
        var environment = OneDeviceEnvironment(502);
        environment["NEXWATT_Agent__Devices__0__Port"] = "15o2";
        var lines = await RunExpectingConfigurationErrorAsync(["run"], environment);
        Assert.Equal(["nexwatt-agent: configuration error: Agent:Devices:0:Port '15o2' is not a whole number."], lines);
    }

    [Fact]
    public async Task An_unknown_log_level_is_one_line_not_an_unhandled_exception()
    {
        var environment = OneDeviceEnvironment(502);
        environment["NEXWATT_Logging__LogLevel__Default"] = "Informaton";
        var lines = await RunExpectingConfigurationErrorAsync(["run"], environment);
        Assert.Equal(["nexwatt-agent: configuration error: Logging:LogLevel:Default 'Informaton' is not a log level; use one of Trace, Debug, Information, Warning, Error, Critical, None (did you mean Information?)."], lines);
    }

    [Fact]
    public async Task A_device_with_durations_typed_as_5s_is_polled_at_that_interval()
    {
        var config = WriteConfig(new
        {
            SiteId = "site-1",
            Devices = new object[] { new { Id = "meter", Host = "127.0.0.1", Port = TechnicianCommandTests.ClosedPort(), PollInterval = "5s", Timeout = "2s" } },
        });
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            await agent.WaitForLineAsync(l => l.Contains("started for site site-1 with 1 device(s)"), TimeSpan.FromSeconds(60));
            await agent.WaitForLineAsync(l => l.Contains("Polling meter at 127.0.0.1:") && l.EndsWith("every 00:00:05", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task A_validation_failure_is_one_line_per_problem_without_a_stack_trace()
    {
        var config = WriteConfig(new { SiteId = "", Devices = new object[] { new { Host = "127.0.0.1", Port = 70000, Timeout = "2x" } } });
        try
        {
            var lines = await RunExpectingConfigurationErrorAsync(["run", "--config", config]);
            Assert.Equal(["nexwatt-agent: configuration error: Agent:Devices:0:Timeout '2x' is not a duration such as '500ms', '5s', '1.5m', '1h' or '00:00:05'."], lines);

            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { Agent = new { SiteId = "", Devices = new object[] { new { Host = "127.0.0.1", Port = 70000 } } } }));
            lines = await RunExpectingConfigurationErrorAsync(["run", "--config", config]);
            Assert.Equal(
            [
                "nexwatt-agent: configuration error: Agent:SiteId is empty; every site needs its own id.",
                "nexwatt-agent: configuration error: Agent:Devices:0:Port 70000 is out of range (1-65535).",
            ], lines);
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task Invalid_json_names_the_file_the_line_and_the_reason()
    {
        var config = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, "{\n  \"Agent\": {\n    \"SiteId\" \"site-1\"\n  }\n}\n");
        try
        {
            var lines = await RunExpectingConfigurationErrorAsync(["run", "--config", config]);
            Assert.Equal([$"nexwatt-agent: configuration error: {config}: line 3, column 14: '\"' is invalid after a property name. Expected a ':'."], lines);
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task Unknown_keys_and_typoed_environment_variables_are_warned_with_the_closest_known_name()
    {
        var config = WriteConfig(new { SiteId = "site-1", Devices = new object[] { new { Hots = "127.0.0.1" } } });
        try
        {
            var lines = await RunExpectingConfigurationErrorAsync(["run", "--config", config], new() { ["NEXWATT_Agnet__SiteId"] = "site-2" });
            Assert.Contains("nexwatt-agent: configuration error: Agent:Devices:0:Host is empty.", lines);
            Assert.Contains(lines, l => l.EndsWith("Configuration: Agent:Devices:0:Hots is not a known setting; it is ignored (did you mean Agent:Devices:0:Host?).", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.EndsWith("Configuration: environment variable NEXWATT_Agnet__SiteId: 'Agnet' is not a known section; it is ignored (did you mean NEXWATT_Agent__...?).", StringComparison.Ordinal));
        }
        finally { File.Delete(config); }
    }

    [Theory]
    [InlineData("/proc/nexwatt-agent/buffer.db", "its folder '/proc/nexwatt-agent' cannot be created")]
    [InlineData("{file}/buffer.db", "its folder '{file}' cannot be created")]
    public async Task A_buffer_that_cannot_be_opened_at_start_is_a_configuration_error(string path, string reason)
    {
        var file = Path.GetTempFileName();
        try
        {
            path = path.Replace("{file}", file, StringComparison.Ordinal);
            var environment = OneDeviceEnvironment(502);
            environment["NEXWATT_Agent__Buffer__Path"] = path;
            var lines = await RunExpectingConfigurationErrorAsync(["run"], environment);
            var line = Assert.Single(lines);
            Assert.StartsWith($"nexwatt-agent: configuration error: Agent:Buffer:Path: the buffer '{path}' cannot be opened: {reason.Replace("{file}", file, StringComparison.Ordinal)}: ", line);
        }
        finally { File.Delete(file); }
    }
}
