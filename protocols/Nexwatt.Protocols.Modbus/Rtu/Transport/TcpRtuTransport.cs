using System.Net.Sockets;

namespace Nexwatt.Protocols.Modbus.Rtu.Transport;

/// <summary>
/// RTU over TCP: a raw socket carrying RTU frames (address, PDU, CRC), as cheap TCP-to-RS-485 gateways do. There is
/// no MBAP header and no transaction id, so the bus is still one request at a time.
/// </summary>
public sealed class TcpRtuTransport(string host, int port, TimeSpan connectTimeout) : IModbusRtuTransport
{
    public string Name => $"tcp://{host}:{port}";

    public async ValueTask<IRtuChannel> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            return new Channel(socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ModbusCommunicationException($"Connecting to {Name} timed out after {connectTimeout.TotalMilliseconds:0} ms.", new TimeoutException());
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new ModbusCommunicationException($"Connecting to {Name} failed: {ex.SocketErrorCode}.", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Channel(Socket socket) : IRtuChannel
    {
        public Stream Stream { get; } = new NetworkStream(socket, ownsSocket: true);

        // The link's pump reads the socket continuously, so nothing waits in the kernel for long; what the pump has
        // read already is dropped by the link itself.
        public void DiscardInput() { }

        public ValueTask DisposeAsync() => Stream.DisposeAsync();
    }
}
