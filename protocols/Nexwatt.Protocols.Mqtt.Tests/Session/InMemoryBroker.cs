using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Nexwatt.Protocols.Mqtt.Channel;
using Nexwatt.Protocols.Mqtt.Formatter;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Session;

/// <summary>
/// The client's transport in session tests: each connect creates an in-memory duplex pipe whose far end is handed
/// to the test as a <see cref="BrokerSide"/>. Connect attempts can be made to fail.
/// </summary>
internal sealed class InMemoryTransport(MqttProtocolVersion version) : IMqttTransport
{
    private readonly Channel<BrokerSide> _accepted = System.Threading.Channels.Channel.CreateUnbounded<BrokerSide>();
    private readonly Channel<int> _attempts = System.Threading.Channels.Channel.CreateUnbounded<int>();
    private int _attemptCount;

    public string Endpoint => "in-memory:1883";

    /// <summary>How many of the next connect attempts fail with "connection refused".</summary>
    public int FailNext { get; set; }

    public int Attempts => Volatile.Read(ref _attemptCount);

    public ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attemptCount);
        _attempts.Writer.TryWrite(attempt);
        if (FailNext > 0)
        {
            FailNext--;
            return ValueTask.FromException<Stream>(new SocketException((int)SocketError.ConnectionRefused));
        }
        var toBroker = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var client = new DuplexPipeStream(toClient.Reader, toBroker.Writer);
        _accepted.Writer.TryWrite(new BrokerSide(new DuplexPipeStream(toBroker.Reader, toClient.Writer), version));
        return ValueTask.FromResult<Stream>(client);
    }

    /// <summary>The broker end of the next connection the client opens.</summary>
    public async Task<BrokerSide> AcceptAsync(TimeSpan? timeout = null)
        => await _accepted.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Waits for the next connect attempt (successful or not) and returns its number.</summary>
    public async Task<int> NextAttemptAsync(TimeSpan? timeout = null)
        => await _attempts.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    public bool HasPendingAttempt => _attempts.Reader.TryPeek(out _);
}

/// <summary>The broker's end of one in-memory connection: reads the client's packets, sends packets back.</summary>
internal sealed class BrokerSide : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly MqttProtocolVersion _version;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public BrokerSide(Stream stream, MqttProtocolVersion version)
    {
        _stream = stream;
        _version = version;
        _reader = PipeReader.Create(stream);
    }

    /// <summary>Reads the next packet from the client; null when the client closed the connection.</summary>
    public async Task<MqttPacket?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await _reader.ReadAsync(cts.Token);
            var buffer = result.Buffer;
            if (MqttFrameReader.TryRead(ref buffer, _version, 1 << 24, out var packet))
            {
                _reader.AdvanceTo(buffer.Start);
                return packet;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    public async Task<T> ReceiveAsync<T>(TimeSpan? timeout = null) where T : MqttPacket
    {
        var packet = await ReceiveAsync(timeout);
        return packet as T ?? throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, received {packet?.ToString() ?? "end of stream"}.");
    }

    /// <summary>True when the client closes the connection (after skipping whatever it still sends).</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        try
        {
            while (await ReceiveAsync(timeout) is not null) { }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public Task SendAsync(MqttPacket packet) => SendRawAsync(MqttPacketEncoder.ToArray(packet, _version));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads CONNECT, answers CONNACK.</summary>
    public async Task<ConnectPacket> AcceptConnectAsync(ConnAckPacket? connAck = null)
    {
        var connect = await ReceiveAsync<ConnectPacket>();
        await SendAsync(connAck ?? new ConnAckPacket());
        return connect;
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}

/// <summary>A stream over two pipes (read one, write the other); disposing completes both, so the far end sees end of stream.</summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly Stream _read = input.AsStream();
    private readonly Stream _write = output.AsStream();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => _write.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => _write.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => _read.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _read.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _read.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => _write.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _write.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _write.WriteAsync(buffer, offset, count, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Complete();
            output.Complete();
        }
        base.Dispose(disposing);
    }
}
