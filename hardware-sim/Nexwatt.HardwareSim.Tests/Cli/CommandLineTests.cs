using Nexwatt.HardwareSim.Cli;

namespace Nexwatt.HardwareSim.Tests.Cli;

public sealed class CommandLineTests
{
    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await HardwareSimCommand.InvokeAsync(args, output, error, TextReader.Null);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("unknown device type 'toaster'", "serve", "--device", "toaster@5020")]
    [InlineData("bad port '70000'", "serve", "--inverter", "70000")]
    [InlineData("bad port 'x'", "serve", "--device", "battery@127.0.0.1:x")]
    [InlineData("unit id 1 is used twice on 127.0.0.1:5020", "serve", "--device", "inverter@5020/1", "--device", "battery@5020/1")]
    [InlineData("unit id 300 is outside 1..247", "serve", "--device", "inverter@5020/300")]
    [InlineData("no devices", "serve")]
    [InlineData("latitude 95 is outside", "serve", "--inverter", "0", "--latitude", "95")]
    [InlineData("clock speed 0", "serve", "--inverter", "0", "--clock-speed", "0")]
    [InlineData("unknown fault 'explode'", "serve", "--inverter", "0", "--fault", "explode=1")]
    [InlineData("no device named 'pv-9'", "serve", "--inverter", "0", "--fault", "pv-9:drop=0.1")]
    [InlineData("unknown time zone", "serve", "--inverter", "0", "--timezone", "Mars/Olympus")]
    [InlineData("is not an ISO 8601", "serve", "--inverter", "0", "--start-time", "yesterday")]
    [InlineData("host 'nowhere' is not an IP address", "serve", "--inverter", "nowhere:5020")]
    [InlineData("unknown fault 'explode'", "serve-map", "--map", "huawei-sun2000", "--fault", "explode=1")]
    [InlineData("no device named 'pv-9' (this one is 'huawei-sun2000')", "serve-map", "--map", "huawei-sun2000", "--fault", "pv-9:drop=0.1")]
    public async Task Invalid_input_fails_with_a_clear_message_and_exit_code_2(string expected, params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.Equal(HardwareSimCommand.InvalidArguments, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("READY", output);
    }

    [Fact]
    public async Task Unknown_flag_is_a_usage_error()
    {
        var (code, _, error) = await Run("serve", "--inverterz", "5020");
        Assert.Equal(HardwareSimCommand.InvalidArguments, code);
        Assert.Contains("--inverterz", error);
    }

    [Fact]
    public async Task Site_file_errors_name_the_file_and_the_problem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nx-site-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, """{ "latitute": 52, "devices": [ { "type": "inverter", "port": 0 } ] }""");
            var (code, _, error) = await Run("serve", "--site", path);
            Assert.Equal(HardwareSimCommand.InvalidArguments, code);
            Assert.Contains($"{path}: line 1, column 14: unknown property 'latitute' (did you mean 'latitude'?).", error);

            await File.WriteAllTextAsync(path, "{ \"devices\": [ { \"type\": \"battery\",\n \"capacityWhh\": 5 } ] }");
            (code, _, error) = await Run("serve", "--site", path);
            Assert.Equal(HardwareSimCommand.InvalidArguments, code);
            Assert.Contains($"{path}: line 2, column 16: unknown property 'devices[0].capacityWhh' (did you mean 'capacityWh'?).", error);

            await File.WriteAllTextAsync(path, "{ \"port\": \"15o2\" }");
            (code, _, error) = await Run("serve", "--site", path);
            Assert.Equal(HardwareSimCommand.InvalidArguments, code);
            Assert.Contains($"{path}: line 1, column 17: 'port' must be a whole number.", error);

            await File.WriteAllTextAsync(path, """{ "devices": [ { "type": "heatpump", "port": 0 }, { "type": "battery", "port": 0, "faults": "drop=7" } ] }""");
            (code, _, error) = await Run("serve", "--site", path);
            Assert.Equal(HardwareSimCommand.InvalidArguments, code);
            Assert.Contains("devices[0]: unknown device type 'heatpump'", error);
            Assert.Contains("devices[1]: faults:", error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
