using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Tcp;

namespace Nexwatt.Protocols.Modbus.Server;

/// <summary>
/// A Modbus TCP server: accepts many clients, parses MBAP frames with a PipeReader loop per client, hands every
/// request (any unit id) to one <see cref="IModbusServerHandler"/> and writes the replies in request order.
/// Pipelined requests are answered in one write per batch. A malformed MBAP header closes that client's connection.
/// </summary>
public sealed partial class ModbusTcpServer : IAsyncDisposable
{
    private readonly IPEndPoint _endPoint;
    private readonly IModbusServerHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, (Socket Socket, Task Serving)> _clients = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _nextClientId;
    private int _stopped;

    public ModbusTcpServer(IPEndPoint endPoint, IModbusServerHandler handler, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handler);
        _endPoint = endPoint;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Connections beyond this number are closed as soon as they are accepted (a device that serves few clients).</summary>
    public int MaxConnections { get; init; } = int.MaxValue;

    /// <summary>The bound endpoint (with the real port when bound to port 0). Valid after <see cref="Start"/>.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("The server is not started.")).LocalEndPoint!;

    /// <summary>The bound port.</summary>
    public int Port => LocalEndPoint.Port;

    /// <summary>Clients connected right now.</summary>
    public int ConnectionCount => _clients.Count;

    /// <summary>Binds, listens and starts accepting. Throws <see cref="SocketException"/> when the endpoint is taken.</summary>
    public void Start()
    {
        if (_listener is not null) throw new InvalidOperationException("The server is already started.");
        ObjectDisposedException.ThrowIf(_stopped != 0, this);
        var listener = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        Log.Listening(_logger, LocalEndPoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Stops accepting, closes every client connection and waits for their loops to end.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (_, client) in _clients) CloseQuietly(client.Socket);
        await Task.WhenAll(_clients.Values.Select(c => c.Serving)).WaitAsync(cancellationToken).ConfigureAwait(false);
        Log.Stopped(_logger, _endPoint);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var listener = _listener!;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.AcceptFailed(_logger, ex);
                continue;
            }
            client.NoDelay = true;
            if (_clients.Count >= MaxConnections)
            {
                Log.ConnectionRejected(_logger, client.RemoteEndPoint, MaxConnections);
                CloseQuietly(client);
                continue;
            }
            var id = Interlocked.Increment(ref _nextClientId);
            var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _clients[id] = (client, serving.Task);
            _ = Task.Run(async () =>
            {
                try { await ServeAsync(client).ConfigureAwait(false); }
                finally
                {
                    _clients.TryRemove(id, out _);
                    serving.TrySetResult();
                }
            });
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint;
        Log.ClientConnected(_logger, remote);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        var output = new ArrayBufferWriter<byte>(1024);
        var request = new byte[ModbusLimits.MaxPduLength];
        var token = _stopping.Token;
        try
        {
            var close = false;
            while (!close)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (!close && MbapCodec.TryRead(ref buffer, out var frame))
                    {
                        var length = (int)frame.Pdu.Length;
                        frame.Pdu.CopyTo(request);
                        if (_logger.IsEnabled(LogLevel.Trace))
                            Log.RequestReceived(_logger, remote, frame.TransactionId, frame.UnitId, Convert.ToHexString(request, 0, length));
                        var pending = Invoke(frame.UnitId, request.AsMemory(0, length), token);
                        ModbusServerReply reply;
                        if (pending.IsCompletedSuccessfully) reply = pending.Result;
                        else
                        {
                            // A slow handler must not hold back the answers already computed.
                            await FlushAsync(socket, output, token).ConfigureAwait(false);
                            reply = await AwaitReplyAsync(pending).ConfigureAwait(false);
                        }
                        close = Append(output, frame.TransactionId, frame.UnitId, request[0], reply);
                    }
                    if (!close && result.IsCompleted)
                    {
                        if (!buffer.IsEmpty) Log.ClientTruncatedFrame(_logger, remote, buffer.Length);
                        close = true;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
                await FlushAsync(socket, output, token).ConfigureAwait(false);
            }
        }
        catch (ModbusProtocolException ex)
        {
            Log.ClientProtocolError(_logger, remote, ex);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Log.ClientIoError(_logger, remote, ex.Message);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            CloseQuietly(socket);
            await stream.DisposeAsync().ConfigureAwait(false);
            Log.ClientDisconnected(_logger, remote);
        }
    }

    private ValueTask<ModbusServerReply> Invoke(byte unitId, ReadOnlyMemory<byte> request, CancellationToken token)
    {
        try
        {
            return _handler.HandleAsync(unitId, request, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_logger, unitId, ex);
            return new ValueTask<ModbusServerReply>(ModbusServerReply.Fail(ModbusExceptionCode.ServerDeviceFailure));
        }
    }

    private async ValueTask<ModbusServerReply> AwaitReplyAsync(ValueTask<ModbusServerReply> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            Log.HandlerFailed(_logger, 0, ex);
            return ModbusServerReply.Fail(ModbusExceptionCode.ServerDeviceFailure);
        }
    }

    /// <summary>Appends the reply's bytes; true when the connection must close.</summary>
    private bool Append(ArrayBufferWriter<byte> output, ushort transactionId, byte unitId, byte function, ModbusServerReply reply)
    {
        switch (reply.Kind)
        {
            case ModbusServerReplyKind.Respond:
                if (reply.Pdu.Length is < 1 or > ModbusLimits.MaxPduLength)
                {
                    Log.HandlerBadPdu(_logger, unitId, reply.Pdu.Length);
                    goto default;
                }
                var span = output.GetSpan(ModbusLimits.MaxTcpAduLength);
                var written = MbapCodec.Write(span, transactionId, unitId, reply.Pdu.Span);
                output.Advance(written);
                return false;
            case ModbusServerReplyKind.Exception:
                var exception = output.GetSpan(ModbusLimits.MbapHeaderLength + 2);
                MbapCodec.WriteHeader(exception, transactionId, unitId, 2);
                ModbusResponseEncoder.WriteException(exception[ModbusLimits.MbapHeaderLength..], function, reply.ExceptionCode);
                output.Advance(ModbusLimits.MbapHeaderLength + 2);
                return false;
            case ModbusServerReplyKind.NoResponse:
                return false;
            case ModbusServerReplyKind.CloseConnection:
                return true;
            case ModbusServerReplyKind.RawBytes:
                output.Write(reply.Pdu.Span);
                return false;
            default:
                var failure = output.GetSpan(ModbusLimits.MbapHeaderLength + 2);
                MbapCodec.WriteHeader(failure, transactionId, unitId, 2);
                ModbusResponseEncoder.WriteException(failure[ModbusLimits.MbapHeaderLength..], function, ModbusExceptionCode.ServerDeviceFailure);
                output.Advance(ModbusLimits.MbapHeaderLength + 2);
                return false;
        }
    }

    private static async ValueTask FlushAsync(Socket socket, ArrayBufferWriter<byte> output, CancellationToken token)
    {
        if (output.WrittenCount == 0) return;
        var remaining = output.WrittenMemory;
        while (!remaining.IsEmpty)
        {
            var sent = await socket.SendAsync(remaining, SocketFlags.None, token).ConfigureAwait(false);
            remaining = remaining[sent..];
        }
        output.ResetWrittenCount();
    }

    private static void CloseQuietly(Socket socket)
    {
        try { socket.Shutdown(SocketShutdown.Both); }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }
}
