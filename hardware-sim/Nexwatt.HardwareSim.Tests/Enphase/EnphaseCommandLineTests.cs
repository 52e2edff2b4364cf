using Nexwatt.HardwareSim.Cli;

namespace Nexwatt.HardwareSim.Tests.Enphase;

public sealed class EnphaseCommandLineTests
{
    [Theory]
    [InlineData("--firmware 6: the simulator offers firmware 5, 7 or 8", "--firmware", "6")]
    [InlineData("unknown Enphase fault 'drop'", "--fault", "drop=0.1")]
    [InlineData("--gateway-serial 12ab: the gateway serial is digits only", "--gateway-serial", "12ab")]
    [InlineData("--enphase-batteries 9: 0 to 8", "--enphase-batteries", "9")]
    [InlineData("--bind nowhere: an IP address", "--bind", "nowhere")]
    [InlineData("no such folder", "--captures", "/nonexistent/enphase")]
    public async Task Invalid_enphase_input_fails_with_a_clear_message_and_exit_code_2(string expected, params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await HardwareSimCommand.InvokeAsync(["serve", "--enphase", "0", .. extra], output, error, TextReader.Null);
        Assert.Equal(HardwareSimCommand.InvalidArguments, code);
        Assert.Contains(expected, error.ToString());
        Assert.DoesNotContain("READY", output.ToString());
    }
}
