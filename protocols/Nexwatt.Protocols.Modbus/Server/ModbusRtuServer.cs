using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Modbus.Rtu;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.Protocols.Modbus.Server;

/// <summary>
/// A Modbus RTU slave on one bus (a serial port, a pty): reads each request frame, asks the handler, answers in RTU
/// framing after the t3.5 silence. A unit the handler does not answer for stays silent, as a device on a shared
/// RS-485 pair must; broadcasts (address 0) are executed and never answered. A frame that cannot be framed (bad CRC,
/// unknown function) is dropped with the bytes behind it, and the server listens for the next frame.
/// </summary>
public sealed partial class ModbusRtuServer : IAsyncDisposable
{
    private readonly IModbusRtuTransport _transport;
    private readonly IModbusServerHandler _handler;
    private readonly int _baudRate;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ModbusRtuServer(IModbusRtuTransport transport, int baudRate, IModbusServerHandler handler, ILogger? logger = null)
    {
        _transport = transport;
        _handler = handler;
        _baudRate = baudRate;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => _transport.Name;

    /// <summary>Opens the bus (errors surface here, as <see cref="ModbusCommunicationException"/>) and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var channel = await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => ServeAsync(channel));
    }

    private async Task ServeAsync(IRtuChannel channel)
    {
        await using var _ = channel.ConfigureAwait(false);
        var framer = new ModbusRtuFramer(channel.Stream, _baudRate, logger: _logger);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                RtuMessage request;
                try
                {
                    request = await framer.ReadRequestAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (ModbusProtocolException ex)
                {
                    // Lost sync: drop what is buffered and start over on a fresh reader.
                    Log.FrameDropped(_logger, Name, ex.Message);
                    await framer.DisposeAsync().ConfigureAwait(false);
                    channel.DiscardInput();
                    framer = new ModbusRtuFramer(channel.Stream, _baudRate, logger: _logger);
                    continue;
                }
                var reply = await _handler.HandleAsync(request.Address, request.Pdu, _stop.Token).ConfigureAwait(false);
                if (request.Address == 0) continue;
                switch (reply.Kind)
                {
                    case ModbusServerReplyKind.Respond:
                        await framer.WriteFrameAsync(request.Address, reply.Pdu, _stop.Token).ConfigureAwait(false);
                        break;
                    case ModbusServerReplyKind.Exception:
                        await framer.WriteFrameAsync(request.Address, new byte[] { (byte)(request.Pdu[0] | 0x80), (byte)reply.ExceptionCode }, _stop.Token).ConfigureAwait(false);
                        break;
                    case ModbusServerReplyKind.RawBytes:
                        await channel.Stream.WriteAsync(reply.Pdu, _stop.Token).ConfigureAwait(false);
                        break;
                    default:
                        // NoResponse, and CloseConnection (a serial line has no connection to close): stay silent.
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception ex) when (ex is IOException or ModbusCommunicationException or ObjectDisposedException)
        {
            Log.BusFailed(_logger, Name, ex);
        }
        finally
        {
            await framer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1094, Level = LogLevel.Debug, Message = "RTU server {Bus}: dropped a frame that cannot be read: {Reason}")]
        public static partial void FrameDropped(ILogger logger, string bus, string reason);

        [LoggerMessage(EventId = 1095, Level = LogLevel.Error, Message = "RTU server {Bus}: the bus failed")]
        public static partial void BusFailed(ILogger logger, string bus, Exception error);
    }
}
