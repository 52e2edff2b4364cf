using System.Buffers;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>
/// One open RTU channel and the request/answer exchange over it (Modbus over Serial Line V1.02, 2.4 and 2.5.1).
/// Synchronous, on the link's one bus thread: it keeps the t3.5 silence plus the turnaround delay (bytes that come
/// meanwhile are stale and restart the silence), flushes stale bytes, writes, drops the local echo, then waits in the
/// kernel for the answer's bytes and frames them by function code, or by silence when the function code does not
/// tell the length; it ignores answers from other units. Every wait is cut into slices of at most
/// <see cref="LongestWait"/> so that closing the bus is seen promptly. Not thread-safe.
/// </summary>
internal sealed partial class RtuExchange : IAsyncDisposable
{
    /// <summary>The longest a single kernel wait lasts before the exchange looks at the bus's closing token again.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(100);

    private readonly IRtuChannel _channel;
    private readonly ModbusRtuLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly byte[] _sendBuffer = new byte[ModbusLimits.MaxRtuAduLength];
    // Room for one answer and whatever follows it in the same read (another unit's late frame, noise).
    private readonly byte[] _received = new byte[ModbusLimits.MaxRtuAduLength * 2];
    private readonly byte[] _scratch = new byte[ModbusLimits.MaxRtuAduLength];
    private readonly long _silenceTicks;
    private readonly long _timeoutTicks;
    private readonly long _frameSilenceTicks;
    private int _held;
    private long _lastTraffic;

    public RtuExchange(IRtuChannel channel, ModbusRtuLinkOptions options, TimeProvider time, ILogger logger, string name)
    {
        _channel = channel;
        _options = options;
        _time = time;
        _logger = logger;
        _name = name;
        _silenceTicks = ToTicks((options.InterFrameSilence ?? RtuTiming.InterFrameDelay(options.BaudRate)) + options.TurnaroundDelay);
        _timeoutTicks = ToTicks(options.ResponseTimeout);
        _frameSilenceTicks = ToTicks(options.FrameSilence);
        _lastTraffic = time.GetTimestamp();
    }

    /// <summary>True once the channel failed or ended; the link then opens a new one.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>
    /// Sends one request and returns the length of the answer PDU copied into <paramref name="answer"/>.
    /// Throws <see cref="TimeoutException"/> when the unit stays silent, <see cref="ModbusProtocolException"/> for a
    /// corrupt answer (the line is then quiet again), <see cref="ModbusCommunicationException"/> when the channel broke,
    /// <see cref="OperationCanceledException"/> when <paramref name="closing"/> is cancelled.
    /// </summary>
    /// <param name="timeout">This unit's response timeout (a unit-id sweep gives its probes a short one).</param>
    public int Exchange(byte unitId, ReadOnlySpan<byte> pdu, Span<byte> answer, TimeSpan timeout, CancellationToken closing)
    {
        KeepSilence(closing);
        DiscardStale();
        var length = RtuCodec.Write(_sendBuffer, unitId, pdu);
        if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameSent(_logger, _name, Convert.ToHexString(_sendBuffer, 0, length));
        try
        {
            _channel.Send(_sendBuffer.AsSpan(0, length));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw Broken($"Writing to {_name} failed: {ex.Message}", ex);
        }
        Stamp();
        var deadline = _lastTraffic + ToTicks(timeout);
        _held = 0;
        try
        {
            if (_options.LocalEcho) SkipEcho(length, deadline, timeout, closing);
            var answerLength = ReadAnswer(unitId, pdu[0], answer, deadline, closing);
            if (answerLength < 0)
                throw new TimeoutException($"Unit {unitId} on {_name} did not answer function 0x{pdu[0]:X2} within {timeout.TotalMilliseconds:0} ms.");
            return answerLength;
        }
        finally
        {
            Stamp();
        }
    }

    /// <summary>Waits until the line has been quiet for t3.5 plus the turnaround delay since the last byte either way.</summary>
    private void KeepSilence(CancellationToken closing)
    {
        while (true)
        {
            var wait = _lastTraffic + _silenceTicks - _time.GetTimestamp();
            if (wait <= 0) return;
            var read = Receive(_scratch, wait, closing);
            if (read > 0)
            {
                // The line is not quiet: what came is stale (a late answer, noise), and the silence starts again.
                Log.StaleBytesDropped(_logger, _name, read);
                Stamp();
            }
        }
    }

    /// <summary>Drops what arrived between exchanges and is still unread (a late answer of a unit that timed out, noise).</summary>
    private void DiscardStale()
    {
        long dropped = 0;
        int read;
        while ((read = ReceiveOnce(_scratch, TimeSpan.Zero)) > 0) dropped += read;
        _channel.DiscardInput();
        if (dropped > 0) Log.StaleBytesDropped(_logger, _name, dropped);
    }

    private void SkipEcho(int length, long deadline, TimeSpan timeout, CancellationToken closing)
    {
        while (_held < length)
            if (!ReceiveMore(deadline, closing))
                throw new TimeoutException($"{_name} did not echo the request within {timeout.TotalMilliseconds:0} ms (LocalEcho is set: does this adapter echo?).");
        var same = _received.AsSpan(0, length).SequenceEqual(_sendBuffer.AsSpan(0, length));
        Consume(length);
        if (!same) throw Corrupt("The local echo differs from the request sent (a collision on the bus, or no echo on this adapter)", closing);
    }

    /// <summary>The answer PDU's length, or -1 when the deadline passed first.</summary>
    private int ReadAnswer(byte unitId, byte function, Span<byte> answer, long deadline, CancellationToken closing)
    {
        while (true)
        {
            var kind = RtuCodec.TryGetResponseLength(new ReadOnlySequence<byte>(_received, 0, _held), out var aduLength);
            if (kind == RtuLength.Incomplete || (kind == RtuLength.Known && _held < aduLength))
            {
                if (!ReceiveMore(deadline, closing)) return -1;
                continue;
            }
            if (kind == RtuLength.Unknown)
            {
                // No length in the function code: the frame ends where the line falls silent.
                aduLength = ReadUntilSilence(closing);
            }
            var adu = _received.AsSpan(0, aduLength);
            if (!RtuCodec.HasValidCrc(adu))
                throw Corrupt($"Unit {unitId} on {_name} answered function 0x{function:X2} with a frame whose CRC is wrong ({Convert.ToHexString(adu)})", closing);
            if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameReceived(_logger, _name, Convert.ToHexString(adu));
            if (adu[0] != unitId)
            {
                // Another unit's answer (a late one, or a device answering for the wrong address): not ours, keep waiting.
                Log.ForeignAnswer(_logger, _name, adu[0], unitId);
                Consume(aduLength);
                continue;
            }
            adu[1..^2].CopyTo(answer);
            Consume(aduLength);
            return aduLength - 3;
        }
    }

    /// <summary>Reads until the line has been quiet for <see cref="ModbusRtuLinkOptions.FrameSilence"/>; all held bytes are the frame.</summary>
    private int ReadUntilSilence(CancellationToken closing)
    {
        while (ReceiveMore(_time.GetTimestamp() + _frameSilenceTicks, closing))
        {
            if (_held > ModbusLimits.MaxRtuAduLength)
                throw Corrupt($"{_name} sent more than {ModbusLimits.MaxRtuAduLength} bytes without a pause, more than any RTU frame", closing);
        }
        return _held;
    }

    /// <summary>A corrupt answer: let the line fall quiet, drop everything, and report it.</summary>
    private ModbusProtocolException Corrupt(string what, CancellationToken closing)
    {
        // Bounded by the response timeout, so a device that babbles without pause cannot hold the bus.
        var quietSince = _time.GetTimestamp();
        var giveUp = quietSince + _timeoutTicks;
        try
        {
            while (true)
            {
                var now = _time.GetTimestamp();
                var left = Math.Min(giveUp, quietSince + _frameSilenceTicks) - now;
                if (left <= 0) break;
                if (Receive(_scratch, left, closing) > 0) quietSince = _time.GetTimestamp();
            }
        }
        catch (ModbusCommunicationException) { }
        _held = 0;
        DiscardStale();
        return new ModbusProtocolException(what + ".");
    }

    /// <summary>Appends what comes before <paramref name="deadline"/> to the held bytes; false when nothing came in time.</summary>
    private bool ReceiveMore(long deadline, CancellationToken closing)
    {
        if (_held == _received.Length)
            throw Corrupt($"{_name} sent {_held} bytes that make no frame", closing);
        while (true)
        {
            var wait = deadline - _time.GetTimestamp();
            if (wait <= 0) return false;
            var read = Receive(_received.AsSpan(_held), wait, closing);
            if (read <= 0) continue;
            _held += read;
            return true;
        }
    }

    /// <summary>One wait of at most <paramref name="waitTicks"/> (cut to <see cref="LongestWait"/>); stamps traffic.</summary>
    private int Receive(Span<byte> buffer, long waitTicks, CancellationToken closing)
    {
        closing.ThrowIfCancellationRequested();
        var wait = TimeSpan.FromSeconds((double)waitTicks / _time.TimestampFrequency);
        var read = ReceiveOnce(buffer, wait < LongestWait ? wait : LongestWait);
        if (read > 0) Stamp();
        return read;
    }

    private int ReceiveOnce(Span<byte> buffer, TimeSpan wait)
    {
        int read;
        try
        {
            read = _channel.Receive(buffer, wait);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw Broken($"Reading from {_name} failed: {ex.Message}", ex);
        }
        if (read < 0) throw Broken($"{_name} closed the channel.", null);
        return read;
    }

    /// <summary>Drops the first <paramref name="count"/> held bytes; what follows them stays for the next frame.</summary>
    private void Consume(int count)
    {
        _received.AsSpan(count, _held - count).CopyTo(_received);
        _held -= count;
    }

    private ModbusCommunicationException Broken(string message, Exception? inner)
    {
        IsBroken = true;
        return new ModbusCommunicationException(message, inner);
    }

    private void Stamp() => _lastTraffic = _time.GetTimestamp();

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1082, Level = LogLevel.Trace, Message = "RTU {Bus} sent {Frame}")]
        public static partial void FrameSent(ILogger logger, string bus, string frame);

        [LoggerMessage(EventId = 1083, Level = LogLevel.Trace, Message = "RTU {Bus} received {Frame}")]
        public static partial void FrameReceived(ILogger logger, string bus, string frame);

        [LoggerMessage(EventId = 1084, Level = LogLevel.Debug, Message = "RTU {Bus}: dropped {Count} stale bytes before a request")]
        public static partial void StaleBytesDropped(ILogger logger, string bus, long count);

        [LoggerMessage(EventId = 1085, Level = LogLevel.Debug, Message = "RTU {Bus}: ignored an answer from unit {From} while waiting for unit {Expected}")]
        public static partial void ForeignAnswer(ILogger logger, string bus, byte from, byte expected);
    }
}
