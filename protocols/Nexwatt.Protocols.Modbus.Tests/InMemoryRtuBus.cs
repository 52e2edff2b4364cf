using System.Buffers;
using System.IO.Pipelines;
using Nexwatt.Protocols.Modbus.Rtu;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>
/// An RS-485 bus in memory: the link's channel writes into one pipe, a scripted "bus" reads each request frame from
/// it and writes whatever bytes the script returns (answers, echoes, noise, nothing) into the other pipe.
/// </summary>
internal sealed class InMemoryRtuBus : IModbusRtuTransport, IAsyncDisposable
{
    private readonly Pipe _toBus = new();
    private readonly Pipe _toMaster = new();
    private readonly Func<RtuMessage, byte[]?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _gate = new();
    private readonly List<(DateTime At, RtuMessage Request)> _requests = [];

    public InMemoryRtuBus(Func<RtuMessage, byte[]?> script, Func<RtuMessage, TimeSpan>? answerDelay = null)
    {
        _script = script;
        AnswerDelay = answerDelay ?? (_ => TimeSpan.Zero);
        _loop = Task.Run(RunAsync);
    }

    public Func<RtuMessage, TimeSpan> AnswerDelay { get; }

    public string Name => "memory";

    /// <summary>How many times the link opened its channel; set <see cref="FailOpens"/> to make opens fail.</summary>
    public int Opens { get; private set; }

    public int FailOpens { get; set; }

    /// <summary>Set when a request arrived while the bus was still answering another (two on the wire at once).</summary>
    public bool Overlapped { get; private set; }

    public IReadOnlyList<(DateTime At, RtuMessage Request)> Requests { get { lock (_gate) return _requests.ToArray(); } }

    /// <summary>Times at which the bus finished writing each answer.</summary>
    public List<DateTime> AnswerTimes { get; } = [];

    public ValueTask<IRtuChannel> OpenAsync(CancellationToken cancellationToken)
    {
        Opens++;
        if (FailOpens > 0)
        {
            FailOpens--;
            throw new ModbusCommunicationException("The port /dev/ttyMissing does not exist.");
        }
        return ValueTask.FromResult<IRtuChannel>(new Channel(_toMaster.Reader, _toBus.Writer));
    }

    /// <summary>Puts bytes on the line towards the master, outside any exchange.</summary>
    public async Task InjectAsync(byte[] bytes) => await _toMaster.Writer.WriteAsync(bytes);

    private async Task RunAsync()
    {
        var reader = _toBus.Reader;
        var busy = 0;
        while (!_stop.IsCancellationRequested)
        {
            ReadResult result;
            try { result = await reader.ReadAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            var buffer = result.Buffer;
            while (RtuCodec.TryReadRequest(ref buffer, out var frame))
            {
                var request = new RtuMessage(frame.Address, frame.Pdu.ToArray());
                lock (_gate) _requests.Add((DateTime.UtcNow, request));
                if (Interlocked.Exchange(ref busy, 1) == 1) Overlapped = true;
                _ = AnswerAsync(request, () => Volatile.Write(ref busy, 0));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return;
        }
    }

    private async Task AnswerAsync(RtuMessage request, Action done)
    {
        var delay = AnswerDelay(request);
        if (delay > TimeSpan.Zero) await Task.Delay(delay);
        var answer = _script(request);
        if (answer is not null)
        {
            await _toMaster.Writer.WriteAsync(answer);
            lock (_gate) AnswerTimes.Add(DateTime.UtcNow);
        }
        done();
    }

    /// <summary>An RTU ADU (address, PDU, CRC) from a PDU given in hex.</summary>
    public static byte[] Frame(byte unit, string pduHex)
    {
        var pdu = Hex.Bytes(pduHex);
        var adu = new byte[pdu.Length + 3];
        RtuCodec.Write(adu, unit, pdu);
        return adu;
    }

    /// <summary>A well-formed FC 03/04 answer with registers value(i) = base + i.</summary>
    public static byte[] Registers(RtuMessage request, int valueBase)
    {
        var count = (request.Pdu[3] << 8) | request.Pdu[4];
        var pdu = new byte[2 + count * 2];
        pdu[0] = request.Pdu[0];
        pdu[1] = (byte)(count * 2);
        for (var i = 0; i < count; i++)
        {
            pdu[2 + i * 2] = (byte)((valueBase + i) >> 8);
            pdu[3 + i * 2] = (byte)(valueBase + i);
        }
        var adu = new byte[pdu.Length + 3];
        RtuCodec.Write(adu, request.Address, pdu);
        return adu;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _toMaster.Writer.CompleteAsync();
        await _toBus.Writer.CompleteAsync();
        try { await _loop; } catch (OperationCanceledException) { }
    }

    /// <summary>The master's side: synchronous sends and waits, as a tty or socket gives them.</summary>
    private sealed class Channel(PipeReader input, PipeWriter output) : IRtuChannel
    {
        private bool _closed;

        public Stream Stream { get; } = new Duplex(input.AsStream(leaveOpen: true), output.AsStream(leaveOpen: true));

        public void DiscardInput() { }

        public void Send(ReadOnlySpan<byte> frame)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            output.Write(frame);
            output.FlushAsync().AsTask().GetAwaiter().GetResult();
        }

        public int Receive(Span<byte> buffer, TimeSpan wait)
        {
            if (_closed) return -1;
            if (!input.TryRead(out var result))
            {
                if (wait <= TimeSpan.Zero) return 0;
                using var timeout = new CancellationTokenSource(wait);
                try { result = input.ReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { return 0; }
            }
            var held = result.Buffer;
            if (held.IsEmpty && result.IsCompleted)
            {
                input.AdvanceTo(held.End);
                return -1;
            }
            var count = (int)Math.Min(held.Length, buffer.Length);
            held.Slice(0, count).CopyTo(buffer);
            input.AdvanceTo(held.GetPosition(count));
            return count;
        }

        public ValueTask DisposeAsync()
        {
            _closed = true;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Reads from one stream, writes to another.</summary>
    private sealed class Duplex(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => output.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                output.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
