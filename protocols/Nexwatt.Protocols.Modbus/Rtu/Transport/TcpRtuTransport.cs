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

        // The link reads every byte the socket gives and drops stale ones itself, so nothing waits in the kernel.
        public void DiscardInput() { }

        public void Send(ReadOnlySpan<byte> frame)
        {
            while (!frame.IsEmpty)
            {
                var sent = socket.Send(frame, SocketFlags.None, out var error);
                if (error != SocketError.Success) throw new IOException($"send: {error}");
                frame = frame[sent..];
            }
        }

        public int Receive(Span<byte> buffer, TimeSpan wait)
        {
            // Socket.Poll counts whole milliseconds on Linux: round up, so a short wait still waits instead of spinning.
            var micros = wait <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(wait.TotalMilliseconds) * 1000);
            try
            {
                if (!socket.Poll(micros, SelectMode.SelectRead)) return 0;
            }
            catch (ObjectDisposedException) { return -1; }
            var read = socket.Receive(buffer, SocketFlags.None, out var error);
            if (error is SocketError.WouldBlock or SocketError.Interrupted) return 0;
            if (error != SocketError.Success) throw new IOException($"receive: {error}");
            return read == 0 ? -1 : read;
        }

        public ValueTask DisposeAsync() => Stream.DisposeAsync();
    }
}
