using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>"Agent:Discovery:Serial" checked at start: every mistake named with its key and the expected form.</summary>
public sealed class SerialDiscoveryOptionsTests
{
    private static AgentOptions SweepOnly(params SerialSweepOptions[] sweeps) => new()
    {
        SiteId = "site-1",
        Discovery = new DiscoveryOptions { Enabled = true, Serial = [.. sweeps] },
    };

    private static IReadOnlyList<string> Problems(AgentOptions options)
    {
        var result = new AgentOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Fact]
    public void A_serial_sweep_alone_is_a_complete_configuration()
    {
        var options = SweepOnly(new SerialSweepOptions { Port = "/dev/ttyUSB0", BaudRate = 19200, Units = "1-10,126" });
        Assert.Empty(Problems(options));
        Assert.Equal([.. Enumerable.Range(1, 10), 126], options.Discovery.Serial[0].UnitIds);
        Assert.Equal(247, new SerialSweepOptions().UnitIds.Count);
    }

    [Fact]
    public void Each_bad_sweep_setting_is_named_with_its_key()
    {
        var problems = Problems(SweepOnly(
            new SerialSweepOptions { Port = "" },
            new SerialSweepOptions { Port = "/dev/ttyUSB0", Parity = "Sometimes", Units = "0-300", ProbeTimeout = TimeSpan.Zero },
            new SerialSweepOptions { Port = "/dev/ttyUSB0", BaudRate = 12345 }));
        Assert.Contains(problems, p => p.StartsWith("Agent:Discovery:Serial:0:Port is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Discovery:Serial:1:Parity 'Sometimes' must be one of", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Discovery:Serial:1:Units '0-300': '0-300' is outside 1-247", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Discovery:Serial:1:ProbeTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Discovery:Serial:2:Port '/dev/ttyUSB0' is swept twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Discovery:Serial:2:BaudRate", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sweep_at_other_line_settings_than_the_devices_on_its_port_is_refused()
    {
        var options = SweepOnly(new SerialSweepOptions { Port = "/dev/ttyUSB0", BaudRate = 9600 });
        options.Devices.Add(new DeviceOptions { Id = "meter", Transport = "rtu", UnitId = 1, Serial = new SerialOptions { Port = "/dev/ttyUSB0", BaudRate = 19200 } });
        var problem = Assert.Single(Problems(options));
        Assert.Contains("Agent:Discovery:Serial:0 sweeps /dev/ttyUSB0 at 9600 baud", problem);
        Assert.Contains("device 'meter' uses it at 19200 baud", problem);
    }

    [Fact]
    public void Discovery_without_ranges_or_serial_ports_is_refused()
    {
        var problems = Problems(SweepOnly());
        Assert.Contains("Agent:Discovery is enabled but Agent:Discovery:Ranges and Agent:Discovery:Serial are empty.", problems);
    }
}
