using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;

namespace Nexwatt.Bench.Modbus;

/// <summary>
/// Our Modbus TCP client as the agent uses it: one <see cref="ModbusLink"/> (one connection) to host:port, with up
/// to <c>maxInFlight</c> requests on the wire at once, no logger.
/// </summary>
internal sealed class NexwattLink(ModbusLink link) : IAsyncDisposable
{
    public IModbusClient Client => link;

    /// <summary>Connections the link opened; more than one means it reconnected during the run.</summary>
    public long ConnectionsOpened => link.ConnectionsOpened;

    public static NexwattLink Open(string host, int port, int maxInFlight)
    {
        var options = new ModbusTcpLinkOptions
        {
            Host = host,
            Port = port,
            MaxInFlight = maxInFlight,
            // Generous: a 2-core machine with other builds running can stall a loopback answer for a while.
            ResponseTimeout = TimeSpan.FromSeconds(5),
        };
        options.Validate();
        return new NexwattLink(new ModbusLink(options));
    }

    public ValueTask DisposeAsync() => link.DisposeAsync();
}
