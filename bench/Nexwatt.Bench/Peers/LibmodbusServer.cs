using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Peers;

/// <summary>The neutral server every client is measured against: bench/peers/libmodbus-server.c on 127.0.0.1.</summary>
internal sealed class LibmodbusServer : IAsyncDisposable
{
    /// <summary>Registers the benchmark reads per request: the largest read a single request can carry.</summary>
    public const ushort ReadCount = 125;

    private readonly PeerProcess _peer;
    private readonly Process _process;

    private LibmodbusServer(PeerProcess peer, int port)
    {
        _peer = peer;
        Port = port;
        _process = Process.GetProcessById(peer.Id);
    }

    public int Port { get; }

    /// <summary>The value the server holds in holding register <paramref name="address"/>.</summary>
    public static ushort Pattern(int address) => (ushort)((address * 7 + 3) & 0xFFFF);

    public static async Task<LibmodbusServer> StartAsync(string executable, CancellationToken cancellationToken)
    {
        var peer = PeerProcess.Start(executable, ["0"]);
        try
        {
            var ready = await peer.WaitForLineAsync(l => l.StartsWith("READY port=", StringComparison.Ordinal), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return new LibmodbusServer(peer, int.Parse(ready["READY port=".Length..], CultureInfo.InvariantCulture));
        }
        catch
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>CPU time the server process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Connections accepted so far (the server prints a line per accept).</summary>
    public int ConnectionsAccepted => _peer.Log.Split('\n').Count(l => l.StartsWith("CONNECTED ", StringComparison.Ordinal));

    /// <summary>
    /// Proves the server answers pipelined requests: <paramref name="count"/> requests go out in one write, on one
    /// connection, and every answer must come back, in order, with the right transaction id and data.
    /// </summary>
    public async Task<string> CheckPipeliningAsync(int count, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", Port, cancellationToken).ConfigureAwait(false);
        var requests = new byte[count * 12];
        for (var i = 0; i < count; i++)
        {
            // MBAP header (transaction id, protocol 0, length 6, unit 1) + PDU 0x03, address, quantity.
            var frame = requests.AsSpan(i * 12, 12);
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(i + 1));
            BinaryPrimitives.WriteUInt16BigEndian(frame[2..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(frame[4..], 6);
            frame[6] = 1;
            frame[7] = 0x03;
            BinaryPrimitives.WriteUInt16BigEndian(frame[8..], (ushort)i);
            BinaryPrimitives.WriteUInt16BigEndian(frame[10..], ReadCount);
        }
        await socket.SendAsync(requests, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        const int responseLength = 9 + 2 * ReadCount;
        var responses = new byte[count * responseLength];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var received = 0;
        try
        {
            while (received < responses.Length)
            {
                var n = await socket.ReceiveAsync(responses.AsMemory(received), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0) break;
                received += n;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        if (received < responses.Length)
            throw new BenchException($"libmodbus server dropped pipelined requests: {count} sent in one write, {received / responseLength} answered.");
        for (var i = 0; i < count; i++)
        {
            var frame = responses.AsSpan(i * responseLength, responseLength);
            var transaction = BinaryPrimitives.ReadUInt16BigEndian(frame);
            if (transaction != i + 1 || frame[7] != 0x03 || frame[8] != 2 * ReadCount || BinaryPrimitives.ReadUInt16BigEndian(frame[9..]) != Pattern(i))
                throw new BenchException($"libmodbus server answered pipelined request {i + 1} wrongly (transaction {transaction}, function 0x{frame[7]:X2}).");
        }
        return $"{count} requests sent in one write on one connection: {count} answers, in order, data correct";
    }

    public ValueTask DisposeAsync() => _peer.DisposeAsync();
}
