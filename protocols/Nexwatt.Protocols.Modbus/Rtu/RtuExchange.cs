using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>
/// One open RTU channel and the request/answer exchange over it (Modbus over Serial Line V1.02, 2.4 and 2.5.1).
/// A pump copies every byte the channel gives into a pipe, stamping when it came, so that reads with a deadline never
/// cancel a read on the port itself; the exchange keeps the t3.5 silence and the turnaround delay, flushes stale
/// bytes, drops the local echo, ignores answers from other units and frames answers by function code, or by silence
/// when the function code does not tell the length. Not thread-safe: the link's one bus loop owns it.
/// </summary>
internal sealed partial class RtuExchange : IAsyncDisposable
{
    private readonly IRtuChannel _channel;
    private readonly ModbusRtuLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
    private readonly CancellationTokenSource _closing = new();
    private readonly byte[] _sendBuffer = new byte[ModbusLimits.MaxRtuAduLength];
    private readonly byte[] _frame = new byte[ModbusLimits.MaxRtuAduLength];
    private readonly long _silenceTicks;
    private readonly Task _pump;
    private long _lastTraffic;

    public RtuExchange(IRtuChannel channel, ModbusRtuLinkOptions options, TimeProvider time, ILogger logger, string name)
    {
        _channel = channel;
        _options = options;
        _time = time;
        _logger = logger;
        _name = name;
        _silenceTicks = ToTicks(RtuTiming.InterFrameDelay(options.BaudRate) + options.TurnaroundDelay);
        _lastTraffic = time.GetTimestamp();
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>True once the channel failed or ended; the link then opens a new one.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>
    /// Sends one request and returns the length of the answer PDU copied into <paramref name="answer"/>.
    /// Throws <see cref="TimeoutException"/> when the unit stays silent, <see cref="ModbusProtocolException"/> for a
    /// corrupt answer (the line is then quiet again), <see cref="ModbusCommunicationException"/> when the channel broke.
    /// </summary>
    public async ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> pdu, byte[] answer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await KeepSilenceAsync(cancellationToken).ConfigureAwait(false);
        DiscardStale();
        var length = RtuCodec.Write(_sendBuffer, unitId, pdu.Span);
        if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameSent(_logger, _name, Convert.ToHexString(_sendBuffer, 0, length));
        try
        {
            await _channel.Stream.WriteAsync(_sendBuffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            await _channel.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw Broken($"Writing to {_name} failed: {ex.Message}", ex);
        }
        Stamp();
        using var deadline = new Deadline(timeout, _time, cancellationToken);
        try
        {
            if (_options.LocalEcho) await SkipEchoAsync(length, deadline.Token).ConfigureAwait(false);
            return await ReadAnswerAsync(unitId, pdu.Span[0], answer, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Expired && !IsBroken)
        {
            throw new TimeoutException($"Unit {unitId} on {_name} did not answer function 0x{pdu.Span[0]:X2} within {timeout.TotalMilliseconds:0} ms.");
        }
        finally
        {
            Stamp();
        }
    }

    /// <summary>Waits until the line has been quiet for t3.5 plus the turnaround delay since the last byte either way.</summary>
    private async ValueTask KeepSilenceAsync(CancellationToken cancellationToken)
    {
        var wait = Volatile.Read(ref _lastTraffic) + _silenceTicks - _time.GetTimestamp();
        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / _time.TimestampFrequency), _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops what arrived between exchanges (a late answer of a unit that timed out, line noise).</summary>
    private void DiscardStale()
    {
        _channel.DiscardInput();
        if (!_pipe.Reader.TryRead(out var result)) return;
        if (!result.Buffer.IsEmpty) Log.StaleBytesDropped(_logger, _name, result.Buffer.Length);
        _pipe.Reader.AdvanceTo(result.Buffer.End);
    }

    private async ValueTask SkipEchoAsync(int length, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (buffer.Length < length)
            {
                _pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            var echo = buffer.Slice(0, length);
            var same = echo.ToArray().AsSpan().SequenceEqual(_sendBuffer.AsSpan(0, length));
            _pipe.Reader.AdvanceTo(echo.End);
            if (!same) throw await CorruptAsync("The local echo differs from the request sent (a collision on the bus, or no echo on this adapter)", cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    private async ValueTask<int> ReadAnswerAsync(byte unitId, byte function, byte[] answer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var kind = RtuCodec.TryGetResponseLength(buffer, out var aduLength);
            if (kind == RtuLength.Incomplete || (kind == RtuLength.Known && buffer.Length < aduLength))
            {
                _pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            if (kind == RtuLength.Unknown)
            {
                // No length in the function code: the frame ends where the line falls silent.
                _pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                aduLength = await WaitForSilenceAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                buffer.Slice(0, aduLength).CopyTo(_frame);
                _pipe.Reader.AdvanceTo(buffer.GetPosition(aduLength));
            }
            var adu = _frame.AsSpan(0, aduLength);
            if (!RtuCodec.HasValidCrc(adu))
                throw await CorruptAsync($"Unit {unitId} on {_name} answered function 0x{function:X2} with a frame whose CRC is wrong ({Convert.ToHexString(adu)})",
                    cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameReceived(_logger, _name, Convert.ToHexString(adu));
            if (adu[0] != unitId)
            {
                // Another unit's answer (a late one, or a device answering for the wrong address): not ours, keep waiting.
                Log.ForeignAnswer(_logger, _name, adu[0], unitId);
                continue;
            }
            adu[1..^2].CopyTo(answer);
            return aduLength - 3;
        }
    }

    /// <summary>Reads until the line has been quiet for <see cref="ModbusRtuLinkOptions.FrameSilence"/>; takes what came into the frame buffer.</summary>
    private async ValueTask<int> WaitForSilenceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // The silence timer cancels the pending read without a token, so the read still hands back what it holds.
            ReadResult result;
            using (_time.CreateTimer(static s => ((PipeReader)s!).CancelPendingRead(), _pipe.Reader, _options.FrameSilence, Timeout.InfiniteTimeSpan))
            {
                try
                {
                    result = await _pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw Broken($"Reading from {_name} failed: {ex.Message}", ex);
                }
            }
            var held = result.Buffer;
            if (!result.IsCanceled && !result.IsCompleted)
            {
                _pipe.Reader.AdvanceTo(held.Start, held.End);
                continue;
            }
            var all = held.Length;
            var length = (int)Math.Min(all, ModbusLimits.MaxRtuAduLength);
            held.Slice(0, length).CopyTo(_frame);
            _pipe.Reader.AdvanceTo(held.End);
            if (all > ModbusLimits.MaxRtuAduLength)
                throw await CorruptAsync($"{_name} sent {all} bytes without a pause, more than any RTU frame", CancellationToken.None).ConfigureAwait(false);
            return length;
        }
    }

    /// <summary>A corrupt answer: let the line fall quiet, drop everything, and report it.</summary>
    private async ValueTask<ModbusProtocolException> CorruptAsync(string what, CancellationToken cancellationToken)
    {
        try
        {
            using var quiet = new Deadline(_options.FrameSilence, _time, cancellationToken);
            while (true)
            {
                var buffer = await ReadAsync(quiet.Token).ConfigureAwait(false);
                _pipe.Reader.AdvanceTo(buffer.End);
            }
        }
        catch (OperationCanceledException) { }
        catch (ModbusCommunicationException) { }
        DiscardStale();
        return new ModbusProtocolException(what + ".");
    }

    private async ValueTask<ReadOnlySequence<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        ReadResult result;
        try
        {
            result = await _pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Broken($"Reading from {_name} failed: {ex.Message}", ex);
        }
        if (result.IsCompleted && !result.IsCanceled)
        {
            var held = result.Buffer;
            _pipe.Reader.AdvanceTo(held.Start, held.End);
            // Bytes left may still make an answer; only a read that can bring nothing new is the end.
            if (held.IsEmpty || _endSeen) throw Broken($"{_name} closed the channel.", null);
            _endSeen = true;
            return held;
        }
        return result.Buffer;
    }

    private bool _endSeen;

    private ModbusCommunicationException Broken(string message, Exception? inner)
    {
        IsBroken = true;
        return new ModbusCommunicationException(message, inner);
    }

    private async Task PumpAsync()
    {
        var writer = _pipe.Writer;
        Exception? failure = null;
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var memory = writer.GetMemory(512);
                var read = await _channel.Stream.ReadAsync(memory, _closing.Token).ConfigureAwait(false);
                if (read == 0) break;
                writer.Advance(read);
                Stamp();
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted) break;
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested) { }
        catch (Exception ex)
        {
            failure = ex;
        }
        await writer.CompleteAsync(failure).ConfigureAwait(false);
    }

    private void Stamp() => Volatile.Write(ref _lastTraffic, _time.GetTimestamp());

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        _closing.Cancel();
        await _channel.DisposeAsync().ConfigureAwait(false);
        try { await _pump.ConfigureAwait(false); }
        catch (Exception) { }
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        _closing.Dispose();
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
