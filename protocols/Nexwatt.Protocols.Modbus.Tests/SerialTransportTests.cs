using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Rtu.Serial;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>System.IO.Ports on a socat pty pair, and the RS-485 ioctl that a pty refuses.</summary>
public sealed class SerialTransportTests
{
    [Fact]
    public async Task TheKernelRs485Mode_IsRefusedByAPty_WithAClearError()
    {
        await using var pty = await PtyPair.StartAsync();
        var error = Assert.Throws<IOException>(() => Rs485Mode.Enable(pty.A, TimeSpan.Zero, TimeSpan.Zero));
        Assert.Contains("does not support the kernel's RS-485 mode", error.Message);
        Assert.Contains("ENOTTY", error.Message);

        var transport = new SerialRtuTransport(new SerialPortSettings { Port = pty.A, BaudRate = 19200, Rs485 = true });
        var open = await Assert.ThrowsAsync<ModbusCommunicationException>(async () => await transport.OpenAsync(CancellationToken.None));
        Assert.Contains(pty.A, open.Message);
    }

    [Fact]
    public async Task TwoEndsOfAPtyPair_CarryRtuBetweenOurLinkAndAnRtuFramerSlave()
    {
        await using var pty = await PtyPair.StartAsync();
        await using var link = new ModbusRtuLink(new SerialRtuTransport(new SerialPortSettings { Port = pty.A, BaudRate = 19200 }),
            new ModbusRtuLinkOptions { BaudRate = 19200, ResponseTimeout = TimeSpan.FromSeconds(2) });
        var slaveSide = new SerialRtuTransport(new SerialPortSettings { Port = pty.B, BaudRate = 19200 });
        await using var channel = await slaveSide.OpenAsync(CancellationToken.None);
        await using var slave = new Nexwatt.Protocols.Modbus.Rtu.ModbusRtuFramer(channel.Stream, 19200);
        var answering = Task.Run(async () =>
        {
            var request = await slave.ReadRequestAsync();
            Assert.Equal("03006B0003", Hex.Of(request.Pdu));
            await slave.WriteFrameAsync(request.Address, Hex.Bytes("03 06 022B 0000 0064"));
        });
        Assert.Equal([0x022B, 0, 0x0064], await link.ReadHoldingRegistersAsync(0x11, 0x006B, 3));
        await answering;
    }

    [Fact]
    public async Task AMissingPort_IsACommunicationErrorNamingIt()
    {
        var transport = new SerialRtuTransport(new SerialPortSettings { Port = "/dev/ttyNexwattMissing", BaudRate = 9600 });
        var error = await Assert.ThrowsAsync<ModbusCommunicationException>(async () => await transport.OpenAsync(CancellationToken.None));
        Assert.Contains("/dev/ttyNexwattMissing", error.Message);
        Assert.Throws<ArgumentException>(() => new SerialRtuTransport(new SerialPortSettings { Port = "/dev/ttyS0", BaudRate = 12345 }));
    }
}
