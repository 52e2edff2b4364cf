using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Protocols.Modbus.Tcp;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

/// <summary>A ReadOnlySequence made of one segment per given array, to exercise frames split across segments.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Sequence(params byte[][] parts)
    {
        if (parts.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            var next = new Segment(part, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}

/// <summary>A started ModbusTcpServer on 127.0.0.1:0 over a register bank.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    public LoopbackServer(IModbusServerHandler? handler = null, ModbusRegisterBank? bank = null, int maxConnections = int.MaxValue)
    {
        Bank = bank ?? new ModbusRegisterBank().AddUnit(1);
        Server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), handler ?? new ModbusDataModelHandler(Bank)) { MaxConnections = maxConnections };
        Server.Start();
    }

    public ModbusRegisterBank Bank { get; }
    public ModbusTcpServer Server { get; }
    public int Port => Server.Port;

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>A delegate-based handler for tests that script the server's behaviour.</summary>
internal sealed class LambdaHandler(Func<byte, ReadOnlyMemory<byte>, CancellationToken, ValueTask<ModbusServerReply>> handle) : IModbusServerHandler
{
    public ValueTask<ModbusServerReply> HandleAsync(byte unitId, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
        => handle(unitId, request, cancellationToken);
}

/// <summary>
/// A hand-driven Modbus TCP peer for client tests: the test reads each request and writes any bytes it likes
/// (out-of-order answers, stale transaction ids, garbage).
/// </summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private Socket? _socket;
    private PipeReader? _reader;

    public ScriptedPeer() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted { get; private set; }

    public async Task AcceptAsync(CancellationToken cancellationToken = default)
    {
        _socket?.Dispose();
        _socket = await _listener.AcceptSocketAsync(cancellationToken);
        _reader = PipeReader.Create(new NetworkStream(_socket, ownsSocket: false));
        Accepted++;
    }

    public async Task<(ushort TransactionId, byte UnitId, byte[] Pdu)> ReadRequestAsync(CancellationToken cancellationToken = default)
    {
        var reader = _reader ?? throw new InvalidOperationException("Accept first.");
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (MbapCodec.TryRead(ref buffer, out var frame))
            {
                var answer = (frame.TransactionId, frame.UnitId, frame.Pdu.ToArray());
                reader.AdvanceTo(buffer.Start);
                return answer;
            }
            if (result.IsCompleted) throw new EndOfStreamException("The client closed the connection.");
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async Task SendAsync(byte[] bytes) => await _socket!.SendAsync(bytes, SocketFlags.None);

    public Task RespondAsync(ushort transactionId, byte unitId, byte[] pdu)
    {
        var adu = new byte[7 + pdu.Length];
        MbapCodec.Write(adu, transactionId, unitId, pdu);
        return SendAsync(adu);
    }

    public void Drop()
    {
        _socket?.Close(0);
        _socket = null;
    }

    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports the due time of every timer created with one (each
/// <c>Task.Delay</c> or timed <c>CancellationTokenSource</c> on this clock), so that a test advances the clock once
/// the code under test waits on it, rather than guessing with a real delay. Re-arming a timer is not reported.
/// </summary>
internal sealed class WatchedClock : TimeProvider
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public ChannelReader<TimeSpan> TimersCreated => _timers.Reader;

    public void Advance(TimeSpan delta) => _clock.Advance(delta);

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan) _timers.Writer.TryWrite(dueTime);
        return timer;
    }
}

/// <summary>Two connected in-memory streams, for RTU framing over "any stream".</summary>
internal static class DuplexPipe
{
    public static (Stream A, Stream B) Create()
    {
        var aToB = new Pipe();
        var bToA = new Pipe();
        return (new PipeStream(bToA.Reader, aToB.Writer), new PipeStream(aToB.Reader, bToA.Writer));
    }

    private sealed class PipeStream(PipeReader reader, PipeWriter writer) : Stream
    {
        private readonly Stream _in = reader.AsStream();
        private readonly Stream _out = writer.AsStream();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _out.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _in.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _in.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _out.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _out.WriteAsync(buffer, offset, count, cancellationToken);
    }
}
