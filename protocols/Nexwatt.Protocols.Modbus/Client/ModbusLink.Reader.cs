using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Tcp;

namespace Nexwatt.Protocols.Modbus.Client;

public sealed partial class ModbusLink
{
    /// <summary>Parses every complete MBAP frame and dispatches it; any I/O or framing fault breaks the connection.</summary>
    private async Task ReadLoopAsync(Connection connection)
    {
        // The stream is made with the connection, not here: by the time this Task.Run'd loop starts, the socket may be
        // closed already (the link was disposed, a send failed). Then the first read fails and Break is a no-op.
        var stream = connection.Stream;
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 512, leaveOpen: true));
        ModbusException failure;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (MbapCodec.TryRead(ref buffer, out var frame)) Dispatch(connection, frame);
                    if (result.IsCompleted)
                    {
                        failure = buffer.IsEmpty
                            ? new ModbusCommunicationException($"{_endpointName} closed the connection.")
                            : new ModbusProtocolException($"{_endpointName} closed the connection inside a frame ({buffer.Length} bytes left).");
                        break;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (ModbusProtocolException ex)
        {
            failure = ex;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            failure = new ModbusCommunicationException($"Receiving from {_endpointName} failed: {ex.Message}", ex);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _endpointName, ex);
            failure = new ModbusCommunicationException($"Receiving from {_endpointName} failed: {ex.Message}", ex);
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
        Break(connection, failure);
    }

    private void Dispatch(Connection connection, in MbapFrame frame)
    {
        Span<byte> copy = stackalloc byte[ModbusLimits.MaxPduLength];
        scoped ReadOnlySpan<byte> pdu;
        if (frame.Pdu.IsSingleSegment) pdu = frame.Pdu.FirstSpan;
        else
        {
            frame.Pdu.CopyTo(copy);
            pdu = copy[..(int)frame.Pdu.Length];
        }
        if (_logger.IsEnabled(LogLevel.Trace)) Log.FrameReceived(_logger, _endpointName, frame.TransactionId, frame.UnitId, Convert.ToHexString(pdu));

        PendingRequest? request = null;
        lock (_gate)
        {
            if (!connection.IsBroken)
            {
                for (var i = 0; i < _slots.Length; i++)
                {
                    if (_slots[i] is { } candidate && candidate.TransactionId == frame.TransactionId)
                    {
                        request = candidate;
                        _slots[i] = null;
                        _inFlight--;
                        break;
                    }
                }
            }
        }
        if (request is null)
        {
            // A late answer to a request that timed out or was cancelled: harmless, the stream is still in sync.
            Log.StaleResponse(_logger, _endpointName, frame.TransactionId, frame.UnitId);
            return;
        }
        _slotFreed.Set();
        if (!request.TryClaim()) return;
        connection.HadResponse = true;

        Exception? error = null;
        if (frame.UnitId != request.UnitId)
            error = new ModbusProtocolException($"Response for transaction {frame.TransactionId} came from unit {frame.UnitId}; the request went to unit {request.UnitId}.");
        else
        {
            try { request.Decode(pdu); }
            catch (ModbusException ex) { error = ex; }
        }
        RecordOutcome(request, error);
        if (error is null) request.Succeed();
        else request.Fail(error);
        // A PDU that does not fit its request means the peer is confused: drop the connection (after completing).
        if (error is ModbusProtocolException protocol) throw new ModbusProtocolException(protocol.Message, protocol);
    }

    /// <summary>The link's one timeout timer: fails every request past its deadline and re-arms for the next one.</summary>
    private void OnTimeoutTimer()
    {
        List<PendingRequest>? expired = null;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var next = long.MaxValue;
            for (var i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] is not { } request) continue;
                if (request.Deadline <= now)
                {
                    (expired ??= []).Add(request);
                    _slots[i] = null;
                    _inFlight--;
                }
                else if (request.Deadline < next) next = request.Deadline;
            }
            _timerDue = next;
            if (next != long.MaxValue && !IsDisposed) _timeoutTimer.Change(ToTimeSpan(next - now), Timeout.InfiniteTimeSpan);
        }
        if (expired is null) return;
        _slotFreed.Set();
        foreach (var request in expired)
        {
            if (!request.TryClaim()) continue;
            Log.RequestTimedOut(_logger, _endpointName, request.UnitId, request.Function, request.TransactionId);
            var error = new TimeoutException(
                $"Unit {request.UnitId} on {_endpointName} did not answer function 0x{request.Function:X2} within {_options.ResponseTimeout.TotalMilliseconds:0} ms.");
            RecordOutcome(request, error);
            request.Fail(error);
        }
    }

    /// <summary>Called by a request that its caller cancelled: frees its slot. Not a device failure.</summary>
    internal void OnRequestCanceled(PendingRequest request)
    {
        var freed = false;
        lock (_gate)
        {
            var slot = Array.IndexOf(_slots, request);
            if (slot >= 0)
            {
                _slots[slot] = null;
                _inFlight--;
                freed = true;
            }
            if (request.IsProbe) _units[request.UnitId]?.Breaker.OnProbeAbandoned(_time.GetTimestamp());
        }
        if (freed) _slotFreed.Set();
    }

    /// <summary>
    /// Feeds a unit's breaker: timeouts and gateway "target failed" exceptions count as failures; any answer from
    /// the device is a success; link-level faults say nothing about the device.
    /// </summary>
    private void RecordOutcome(PendingRequest request, Exception? error)
    {
        var deviceFailure = error is TimeoutException
            || error is ModbusRemoteException { Code: ModbusExceptionCode.GatewayTargetDeviceFailedToRespond or ModbusExceptionCode.GatewayPathUnavailable };
        var deviceAnswered = error is null or ModbusRemoteException && !deviceFailure;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var unit = _units[request.UnitId];
            if (unit is null)
            {
                if (!deviceFailure) return;
                unit = GetOrCreateUnit(request.UnitId);
            }
            unit.LastTraffic = now;
            if (deviceAnswered)
            {
                if (unit.Breaker.State != BreakerState.Closed) Log.BreakerClosed(_logger, _endpointName, request.UnitId);
                unit.Breaker.OnSuccess();
            }
            else if (deviceFailure)
            {
                if (unit.Breaker.OnFailure(now, request.IsProbe))
                    Log.BreakerOpened(_logger, _endpointName, request.UnitId, unit.Breaker.CurrentOpenPeriod(_time.TimestampFrequency).TotalMilliseconds);
            }
            else if (request.IsProbe) unit.Breaker.OnProbeAbandoned(now);
        }
    }

    /// <summary>Closes a connection once and fails everything on the wire with (a copy of) <paramref name="error"/>.</summary>
    private void Break(Connection connection, ModbusException error)
    {
        PendingRequest[]? failed = null;
        lock (_gate)
        {
            if (connection.IsBroken) return;
            connection.IsBroken = true;
            if (_inFlight > 0)
            {
                failed = new PendingRequest[_inFlight];
                var n = 0;
                for (var i = 0; i < _slots.Length; i++)
                {
                    if (_slots[i] is { } request) failed[n++] = request;
                    _slots[i] = null;
                }
                _inFlight = 0;
            }
            // Lazy reconnect: the next request connects, after a backoff that grows while connections keep failing.
            _reconnectAttempt = connection.HadResponse ? 1 : _reconnectAttempt + 1;
            var backoff = ReconnectBackoff.Delay(_reconnectAttempt, _options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _jitter);
            _nextConnectAt = _time.GetTimestamp() + ToTicks(backoff);
        }
        try { connection.Socket.Shutdown(SocketShutdown.Both); }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
        connection.Socket.Dispose();
        _slotFreed.Set();
        if (!IsDisposed) Log.ConnectionBroken(_logger, _endpointName, error.Message, error);
        if (failed is null) return;
        foreach (var request in failed)
        {
            if (!request.TryClaim()) continue;
            if (request.IsProbe) RecordOutcome(request, error);
            request.Fail(error switch
            {
                ModbusProtocolException p => new ModbusProtocolException(p.Message, p.InnerException),
                _ => new ModbusCommunicationException(error.Message, error.InnerException),
            });
        }
    }
}
