using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Nexwatt.Bench.Harness;
using Nexwatt.Bench.Peers;

namespace Nexwatt.Bench.Modbus;

/// <summary>
/// Diagnostic floor, not a Modbus client: the least a .NET program can do per read on this machine — send one
/// fixed 12-byte request, receive the 259-byte answer on the same async socket, no queue, no matching, no
/// decoding beyond a length check. The gap between this row and ModbusLink's is the library's own cost.
/// </summary>
internal sealed class RawSocketContender(int port) : IContender
{
    private const int ResponseLength = 9 + 2 * LibmodbusServer.ReadCount;

    private readonly byte[] _request = new byte[12];
    private readonly byte[] _response = new byte[ResponseLength];
    private Socket? _socket;

    public string Name => "reference: .NET raw socket loop";

    public int InFlight => 1;

    public async Task<RoundResult> RunRoundAsync(double warmupSeconds, double seconds, CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(4), 6);
            _request[6] = 1;
            _request[7] = 0x03;
            BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(10), LibmodbusServer.ReadCount);
        }
        if (warmupSeconds > 0) await ReadForAsync(_socket, warmupSeconds, cancellationToken).ConfigureAwait(false);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var reads = await ReadForAsync(_socket, seconds, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        return new RoundResult(reads, elapsed, (process.TotalProcessorTime - cpuBefore).TotalSeconds, allocated);
    }

    private async Task<long> ReadForAsync(Socket socket, double seconds, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long reads = 0;
        ushort transaction = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_request, ++transaction);
            await socket.SendAsync(_request.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var received = 0;
            while (received < ResponseLength)
            {
                var n = await socket.ReceiveAsync(_response.AsMemory(received), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new BenchException("The libmodbus server closed the raw socket.");
                received += n;
            }
            if (BinaryPrimitives.ReadUInt16BigEndian(_response) != transaction) throw new BenchException("Raw socket loop: transaction id mismatch.");
            reads++;
        }
        return reads;
    }

    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        return ValueTask.CompletedTask;
    }
}
