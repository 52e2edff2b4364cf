using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Tcp;

namespace Nexwatt.Protocols.Modbus.Client;

public sealed partial class ModbusLink
{
    // Owned by the writer loop alone.
    private readonly byte[] _sendBuffer = new byte[16 * ModbusLimits.MaxTcpAduLength];
    private int _sendLength;
    private Connection? _sendConnection;
    private ushort _nextTransactionId;
    private long _nextSequence;
    private int _reconnectAttempt;
    private long _nextConnectAt = long.MinValue;
    private Exception? _lastConnectError;

    // Written by the writer loop, read by others.
    private volatile Connection? _connection;

    private enum Registration { Registered, NoSlot, Broken, Completed }

    /// <summary>The single loop that owns the socket: admission, connection, pacing, slots, batching, sending.</summary>
    private async Task WriterLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var request))
                {
                    try
                    {
                        await ScheduleAsync(request).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
                    {
                        FailRequest(request, new ObjectDisposedException(nameof(ModbusLink)));
                    }
                    catch (Exception ex)
                    {
                        Log.LoopFailed(_logger, _endpointName, ex);
                        FailRequest(request, new ModbusCommunicationException($"Scheduling a request on {_endpointName} failed: {ex.Message}", ex));
                    }
                }
                await FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            while (reader.TryRead(out var left)) FailRequest(left, new ObjectDisposedException(nameof(ModbusLink)));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ScheduleAsync(PendingRequest request)
    {
        if (request.IsCompleted) return;
        if (!Admit(request)) return;
        while (true)
        {
            if (request.IsCompleted || _disposing.IsCancellationRequested)
            {
                AbandonProbe(request);
                FailRequest(request, new ObjectDisposedException(nameof(ModbusLink)));
                return;
            }
            var connection = _connection;
            if (connection is null || connection.IsBroken)
            {
                await FlushAsync().ConfigureAwait(false);
                if (await ConnectAsync(request).ConfigureAwait(false) is null)
                {
                    AbandonProbe(request);
                    return;
                }
                continue;
            }
            var pause = PauseBefore(request.UnitId);
            if (pause > TimeSpan.Zero)
            {
                await FlushAsync().ConfigureAwait(false);
                await Task.Delay(pause, _time, _disposing.Token).ConfigureAwait(false);
                continue;
            }
            switch (TryRegister(request, connection))
            {
                case Registration.Registered:
                    Append(request, connection);
                    if (_mustFlush) await FlushAsync().ConfigureAwait(false);
                    return;
                case Registration.NoSlot:
                    // Send what is batched first: the responses that free the slots need those requests.
                    await FlushAsync().ConfigureAwait(false);
                    await _slotFreed.WaitAsync().ConfigureAwait(false);
                    continue;
                case Registration.Completed:
                    AbandonProbe(request);
                    return;
                default:
                    continue;
            }
        }
    }

    /// <summary>Circuit-breaker admission at the moment the request would go out.</summary>
    private bool Admit(PendingRequest request)
    {
        ModbusDeviceUnavailableException refused;
        lock (_gate)
        {
            if (Volatile.Read(ref _units[request.UnitId]) is not { } unit) return true;
            switch (unit.Breaker.Admit(_time.GetTimestamp()))
            {
                case BreakerAdmission.Allowed:
                    return true;
                case BreakerAdmission.Probe:
                    request.IsProbe = true;
                    Log.BreakerProbe(_logger, _endpointName, request.UnitId);
                    return true;
                default:
                    refused = Unavailable(request.UnitId, unit.Breaker);
                    break;
            }
        }
        FailRequest(request, refused);
        return false;
    }

    private void AbandonProbe(PendingRequest request)
    {
        if (!request.IsProbe) return;
        lock (_gate) _units[request.UnitId]?.Breaker.OnProbeAbandoned(_time.GetTimestamp());
    }

    private TimeSpan PauseBefore(byte unitId)
    {
        if (Volatile.Read(ref _units[unitId]) is not { } unit) return TimeSpan.Zero;
        var pause = unit.Quirks.PauseBetweenRequests;
        if (pause <= TimeSpan.Zero) return TimeSpan.Zero;
        long last;
        lock (_gate) last = unit.LastTraffic;
        if (last == long.MinValue) return TimeSpan.Zero;
        return pause - _time.GetElapsedTime(last);
    }

    private Registration TryRegister(PendingRequest request, Connection connection)
    {
        lock (_gate)
        {
            if (request.IsCompleted) return Registration.Completed;
            if (connection.IsBroken) return Registration.Broken;
            if (_inFlight >= _slots.Length) return Registration.NoSlot;
            var slot = Array.IndexOf(_slots, null);
            _slots[slot] = request;
            _inFlight++;
            request.TransactionId = ++_nextTransactionId;
            request.Sequence = ++_nextSequence;
            var now = _time.GetTimestamp();
            request.Deadline = now + _responseTimeoutTicks;
            if (_timerDue == long.MaxValue)
            {
                // One timer for the link, armed for the oldest deadline; re-armed only when it fires.
                _timerDue = request.Deadline;
                _timeoutTimer.Change(_options.ResponseTimeout, Timeout.InfiniteTimeSpan);
            }
            if (_units[request.UnitId] is { } unit) unit.LastTraffic = now;
            return Registration.Registered;
        }
    }

    private void Append(PendingRequest request, Connection connection)
    {
        if (_sendConnection != connection && _sendLength > 0)
        {
            // Cannot happen (a batch is flushed before any reconnect), but never mix connections in one send.
            _sendLength = 0;
        }
        _sendConnection = connection;
        var length = MbapCodec.Write(_sendBuffer.AsSpan(_sendLength), request.TransactionId, request.UnitId, request.Pdu.AsSpan(0, request.PduLength));
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Trace))
            Log.FrameSent(_logger, _endpointName, Convert.ToHexString(_sendBuffer, _sendLength, length));
        _sendLength += length;
        if (_sendLength > _sendBuffer.Length - ModbusLimits.MaxTcpAduLength) _mustFlush = true;
    }

    private bool _mustFlush;

    private async ValueTask FlushAsync()
    {
        _mustFlush = false;
        if (_sendLength == 0) return;
        var connection = _sendConnection!;
        var remaining = _sendBuffer.AsMemory(0, _sendLength);
        _sendLength = 0;
        try
        {
            while (!remaining.IsEmpty)
            {
                var sent = await connection.Socket.SendAsync(remaining, SocketFlags.None).ConfigureAwait(false);
                remaining = remaining[sent..];
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Break(connection, new ModbusCommunicationException($"Sending to {_endpointName} failed: {ex.Message}", ex));
        }
    }

    /// <summary>Opens the link's one connection. On failure fails this request and everything queued; returns null.</summary>
    private async ValueTask<Connection?> ConnectAsync(PendingRequest request)
    {
        if (_connection is { } old)
        {
            // The old socket is closed already; wait for its read loop so two connections never coexist.
            if (old.ReadLoop is { } loop) await loop.ConfigureAwait(false);
            _connection = null;
        }
        var wait = _nextConnectAt == long.MinValue ? TimeSpan.Zero : ToTimeSpan(_nextConnectAt - _time.GetTimestamp());
        if (wait > TimeSpan.Zero)
        {
            if (wait > _options.ResponseTimeout)
            {
                FailRequestAndQueue(request, () => new ModbusCommunicationException(
                    $"The Modbus link {_endpointName} is down; the next connection attempt is in {wait.TotalMilliseconds:0} ms.", _lastConnectError));
                return null;
            }
            await Task.Delay(wait, _time, _disposing.Token).ConfigureAwait(false);
            if (request.IsCompleted) return null;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Exception? error = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposing.Token);
            await socket.ConnectAsync(_options.Host, _options.Port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_disposing.IsCancellationRequested)
        {
            error = new ModbusCommunicationException($"Connecting to {_endpointName} timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms.",
                new TimeoutException());
        }
        catch (SocketException ex)
        {
            error = new ModbusCommunicationException($"Connecting to {_endpointName} failed: {ex.SocketErrorCode}.", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (error is not null)
        {
            socket.Dispose();
            _reconnectAttempt++;
            var backoff = ReconnectBackoff.Delay(_reconnectAttempt, _options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _jitter);
            _nextConnectAt = _time.GetTimestamp() + ToTicks(backoff);
            _lastConnectError = error;
            Log.ConnectFailed(_logger, _endpointName, _reconnectAttempt, backoff.TotalMilliseconds, error);
            FailRequestAndQueue(request, () => new ModbusCommunicationException(error.Message, error.InnerException));
            return null;
        }

        Interlocked.Increment(ref _connectionsOpened);
        var connection = new Connection(socket);
        _connection = connection;
        connection.ReadLoop = Task.Run(() => ReadLoopAsync(connection));
        Log.Connected(_logger, _endpointName);
        var settle = MaxPauseAfterConnect();
        if (settle > TimeSpan.Zero) await Task.Delay(settle, _time, _disposing.Token).ConfigureAwait(false);
        return connection;
    }

    private TimeSpan MaxPauseAfterConnect()
    {
        var max = TimeSpan.Zero;
        foreach (var unit in _units)
            if (unit is not null && unit.Quirks.PauseAfterConnect > max) max = unit.Quirks.PauseAfterConnect;
        return max;
    }

    /// <summary>The link is down: this request and those queued behind it fail now rather than wait.</summary>
    private void FailRequestAndQueue(PendingRequest request, Func<Exception> error)
    {
        AbandonProbe(request);
        FailRequest(request, error());
        while (_queue.Reader.TryRead(out var queued))
        {
            if (queued.IsCompleted) continue;
            FailRequest(queued, error());
        }
    }

    private static void FailRequest(PendingRequest request, Exception error)
    {
        if (request.TryClaim()) request.Fail(error);
    }
}
