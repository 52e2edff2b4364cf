using Microsoft.Extensions.Configuration;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>An RTU device's transport and serial settings, as text and after binding.</summary>
public class RtuDeviceOptionsTests
{
    private static AgentOptions Bind(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new[] { ("Agent:SiteId", "s1") }.Concat(values).Select(v => new KeyValuePair<string, string?>(v.Item1, v.Item2)));
        var warnings = AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>());
        Assert.Empty(warnings);
        return configuration.GetSection("Agent").Get<AgentOptions>()!;
    }

    private static IEnumerable<string> Problems(AgentOptions options)
        => new AgentOptionsValidator().Validate(null, options).Failures ?? [];

    [Fact]
    public void A_serial_device_binds_from_text_needs_no_host_and_is_named_after_its_port()
    {
        var options = Bind(("Agent:Devices:0:Transport", "rtu"), ("Agent:Devices:0:UnitId", "7"),
            ("Agent:Devices:0:Serial:Port", "/dev/ttyUSB0"), ("Agent:Devices:0:Serial:BaudRate", "19200"), ("Agent:Devices:0:Serial:Parity", "Even"),
            ("Agent:Devices:0:Serial:TurnaroundDelay", "5ms"), ("Agent:Devices:0:Serial:LocalEcho", "true"));
        var device = Assert.Single(options.Devices);
        Assert.Equal(TimeSpan.FromMilliseconds(5), device.Serial.TurnaroundDelay);
        Assert.True(device.Serial.LocalEcho);
        Assert.Equal("ttyUSB0-7", device.EffectiveId);
        Assert.Empty(Problems(options));
    }

    [Theory]
    [InlineData("tcp", "192.168.1.5", 502, null, 1, "192.168.1.5-502-1")]
    [InlineData("tcp", "::1", 1502, null, 126, "1-1502-126")]
    [InlineData("tcp", "gateway.site.example", 502, null, 3, "gateway.site.example-502-3")]
    [InlineData("rtu", null, 0, "/dev/ttyUSB0", 7, "ttyUSB0-7")]
    [InlineData("rtu", null, 0, "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", 247, "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0-247")]
    [InlineData("rtu", null, 0, "/dev/serial/by-path/platform-fd500000.pcie-pci-0000:01:00.0-usb-0:1.3:1.0-port0-and-more-words-to-pass-64", 2,
        "platform-fd500000.pcie-pci-0000_01_00.0-usb-0_1.3_1.0-port0-an-2")]
    public void A_device_without_an_id_gets_one_the_collector_can_link(string transport, string? host, int port, string? serialPort, int unit, string expected)
    {
        var device = new DeviceOptions { Transport = transport, Host = host ?? "", Port = port, UnitId = unit, Serial = new SerialOptions { Port = serialPort ?? "" } };
        Assert.Equal(expected, device.EffectiveId);
        // The collector's rule for the device_id of an asset link (AssetRegistrationValidator.IsValidId).
        Assert.Matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", device.EffectiveId);
    }

    [Fact]
    public void Bad_serial_settings_are_each_named_with_their_key_and_the_expected_form()
    {
        var options = Bind(("Agent:Devices:0:Transport", "rtu"), ("Agent:Devices:0:Serial:Port", "ttyUSB0"),
            ("Agent:Devices:0:Serial:BaudRate", "12345"), ("Agent:Devices:0:Serial:DataBits", "9"), ("Agent:Devices:0:Serial:Parity", "Evn"),
            ("Agent:Devices:1:Transport", "modbus-rtu"), ("Agent:Devices:1:Host", "10.0.0.2"));
        var problems = Problems(options).ToList();
        Assert.Contains("Agent:Devices:0:Serial:Parity 'Evn' must be one of None, Even, Odd, Mark, Space.", problems);
        Assert.Contains(problems, p => p.StartsWith("Agent:Devices:1:Transport 'modbus-rtu' is unknown; use one of tcp, rtu, rtu-over-tcp", StringComparison.Ordinal));

        options.Devices[0].Serial.Parity = "None";
        problems = Problems(options).ToList();
        Assert.Contains("Agent:Devices:0:Serial:Port must be a device path such as /dev/ttyUSB0 (got 'ttyUSB0').", problems);
        Assert.Contains(problems, p => p.StartsWith("Agent:Devices:0:Serial:BaudRate must be a standard rate", StringComparison.Ordinal) && p.EndsWith("got 12345).", StringComparison.Ordinal));
        Assert.Contains("Agent:Devices:0:Serial:DataBits must be 5..8 (got 9).", problems);
    }

    [Fact]
    public void A_misspelt_serial_key_warns_with_the_closest_known_one()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("Agent:SiteId", "s1"), new("Agent:Devices:0:Transport", "rtu"), new("Agent:Devices:0:Serial:BaudRte", "9600")]);
        var warnings = AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>());
        Assert.Contains(warnings, w => w.Contains("Agent:Devices:0:Serial:BaudRte", StringComparison.Ordinal) && w.Contains("BaudRate", StringComparison.Ordinal));
    }
}
