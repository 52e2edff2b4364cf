using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>
/// RTU frames over any byte <see cref="Stream"/> (a serial port, a pty, an in-memory pipe). Before each frame it
/// keeps the t3.5 line silence since the last traffic, measured on the injected <see cref="TimeProvider"/>; reads are
/// delimited by the codec (function code and byte count), so a frame that arrives in pieces is reassembled.
/// Not thread-safe: one master (or one slave) owns the framer.
/// </summary>
public sealed partial class ModbusRtuFramer : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _silence;
    private readonly byte[] _sendBuffer = new byte[ModbusLimits.MaxRtuAduLength];
    private long _lastTraffic;

    public ModbusRtuFramer(Stream stream, int baudRate, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _silence = RtuTiming.InterFrameDelay(baudRate);
        _lastTraffic = _time.GetTimestamp() - (long)(_silence.TotalSeconds * _time.TimestampFrequency) - 1;
    }

    /// <summary>The t3.5 silence this framer keeps before each frame.</summary>
    public TimeSpan InterFrameDelay => _silence;

    /// <summary>Waits for t3.5 of silence, then writes address + PDU + CRC.</summary>
    public async ValueTask WriteFrameAsync(byte address, ReadOnlyMemory<byte> pdu, CancellationToken cancellationToken = default)
    {
        var quiet = _time.GetElapsedTime(_lastTraffic);
        if (quiet < _silence) await Task.Delay(_silence - quiet, _time, cancellationToken).ConfigureAwait(false);
        var length = RtuCodec.Write(_sendBuffer, address, pdu.Span);
        if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameSent(_logger, Convert.ToHexString(_sendBuffer, 0, length));
        await _stream.WriteAsync(_sendBuffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _lastTraffic = _time.GetTimestamp();
    }

    /// <summary>Reads the next response frame (slave → master).</summary>
    public ValueTask<RtuMessage> ReadResponseAsync(CancellationToken cancellationToken = default) => ReadAsync(response: true, cancellationToken);

    /// <summary>Reads the next request frame (master → slave).</summary>
    public ValueTask<RtuMessage> ReadRequestAsync(CancellationToken cancellationToken = default) => ReadAsync(response: false, cancellationToken);

    private async ValueTask<RtuMessage> ReadAsync(bool response, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                if (TryParse(ref buffer, response, out var message))
                {
                    consumed = buffer.Start;
                    _lastTraffic = _time.GetTimestamp();
                    return message;
                }
                if (result.IsCompleted)
                {
                    throw buffer.IsEmpty
                        ? new ModbusCommunicationException("The RTU stream ended.")
                        : new ModbusProtocolException($"The RTU stream ended inside a frame ({buffer.Length} bytes left).");
                }
            }
            finally
            {
                _reader.AdvanceTo(consumed, buffer.End);
            }
        }
    }

    private bool TryParse(ref ReadOnlySequence<byte> buffer, bool response, out RtuMessage message)
    {
        message = null!;
        var ok = response ? RtuCodec.TryReadResponse(ref buffer, out var frame) : RtuCodec.TryReadRequest(ref buffer, out frame);
        if (!ok) return false;
        message = new RtuMessage(frame.Address, frame.Pdu.ToArray());
        if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameReceived(_logger, frame.Address, Convert.ToHexString(message.Pdu));
        return true;
    }

    public async ValueTask DisposeAsync() => await _reader.CompleteAsync().ConfigureAwait(false);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1080, Level = LogLevel.Trace, Message = "RTU frame sent: {Frame}")]
        public static partial void FrameSent(ILogger logger, string frame);

        [LoggerMessage(EventId = 1081, Level = LogLevel.Trace, Message = "RTU frame received from address {Address}: PDU {Pdu}")]
        public static partial void FrameReceived(ILogger logger, byte address, string pdu);
    }
}
