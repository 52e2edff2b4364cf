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
        var blamed = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (TryReadFrame(connection, ref buffer, out var frame)) Dispatch(connection, frame);
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
                    connection.PartialBytes = (int)Math.Min(buffer.Length, int.MaxValue);
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (ModbusProtocolException ex)
        {
            // The culprit (the unit whose answer was corrupt) has been failed already; see TryReadFrame and Dispatch.
            failure = ex;
            blamed = true;
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
        // The connection ended where the oldest request's answer belonged: that request fails (a link fault, which
        // its breaker does not count); the requests behind it go out again on the next connection.
        if (!blamed && TakeOldest(connection) is { } oldest && oldest.TryClaim())
        {
            if (oldest.IsProbe) RecordOutcome(oldest, failure);
            oldest.Fail(failure);
        }
        Break(connection, failure);
    }

    /// <summary>
    /// Reads the next frame. A malformed header means the stream has lost sync: the bytes at this frame boundary
    /// stand where the answer to the oldest request on the wire belongs (our server and gateways answer in order),
    /// so that request's unit is blamed; the connection is then broken and the other requests retried.
    /// </summary>
    private bool TryReadFrame(Connection connection, ref ReadOnlySequence<byte> buffer, out MbapFrame frame)
    {
        try
        {
            return MbapCodec.TryRead(ref buffer, out frame);
        }
        catch (ModbusProtocolException ex)
        {
            var culprit = TakeOldest(connection);
            if (culprit is null || !culprit.TryClaim())
                throw new ModbusProtocolException($"{_endpointName} sent bytes that are not a Modbus frame: {ex.Message}", ex);
            var error = new ModbusProtocolException(
                $"Unit {culprit.UnitId} on {_endpointName} answered function 0x{culprit.Function:X2} with bytes that are not a Modbus frame: {ex.Message}", ex);
            Log.CorruptAnswer(_logger, _endpointName, culprit.UnitId, culprit.Function, ex.Message);
            RecordOutcome(culprit, error, corruptAnswer: true);
            culprit.Fail(error);
            throw new ModbusProtocolException(error.Message, ex);
        }
    }

    /// <summary>Removes the oldest request on the wire of <paramref name="connection"/> from its slot.</summary>
    private PendingRequest? TakeOldest(Connection connection)
    {
        lock (_gate)
        {
            if (connection.IsBroken) return null;
            var oldest = -1;
            for (var i = 0; i < _slots.Length; i++)
                if (_slots[i] is { } candidate && (oldest < 0 || candidate.Sequence < _slots[oldest]!.Sequence)) oldest = i;
            if (oldest < 0) return null;
            var request = _slots[oldest]!;
            _slots[oldest] = null;
            _inFlight--;
            return request;
        }
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
        RecordOutcome(request, error, corruptAnswer: error is ModbusProtocolException);
        if (error is null) request.Succeed();
        else request.Fail(error);
        // A PDU that does not fit its request means the peer is confused: drop the connection (after completing).
        if (error is ModbusProtocolException protocol) throw new ModbusProtocolException(protocol.Message, protocol);
    }

    /// <summary>The link's one timeout timer: fails every request past its deadline and re-arms for the next one.</summary>
    private void OnTimeoutTimer()
    {
        List<PendingRequest>? expired = null;
        Connection? unsynced = null;
        PendingRequest[]? onTheWire = null;
        var partial = 0;
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
            // Bytes that do not make a frame, then silence past a deadline: the stream has lost sync (an answer came
            // short, or garbage), and those bytes stood for the expired answers. The connection is detached under
            // this lock, before any slot is reused: an answer sent on it now would complete a bogus header and be
            // blamed for it.
            if (expired is not null && _connection is { IsBroken: false } connection && connection.PartialBytes > 0)
            {
                partial = connection.PartialBytes;
                unsynced = connection;
                onTheWire = DetachLocked(connection);
            }
            _timerDue = next;
            if (next != long.MaxValue && !IsDisposed) _timeoutTimer.Change(ToTimeSpan(next - now), Timeout.InfiniteTimeSpan);
        }
        if (expired is null) return;
        foreach (var request in expired)
        {
            if (!request.TryClaim()) continue;
            Log.RequestTimedOut(_logger, _endpointName, request.UnitId, request.Function, request.TransactionId);
            Exception error = partial > 0
                ? new ModbusProtocolException($"Unit {request.UnitId} on {_endpointName} answered function 0x{request.Function:X2} with {partial} bytes " +
                    $"that are not a whole Modbus frame, then nothing for {_options.ResponseTimeout.TotalMilliseconds:0} ms.")
                : new TimeoutException(
                    $"Unit {request.UnitId} on {_endpointName} did not answer function 0x{request.Function:X2} within {_options.ResponseTimeout.TotalMilliseconds:0} ms.");
            if (partial > 0) Log.CorruptAnswer(_logger, _endpointName, request.UnitId, request.Function, error.Message);
            RecordOutcome(request, error, corruptAnswer: partial > 0);
            request.Fail(error);
        }
        if (unsynced is not null)
            FinishBreak(unsynced, new ModbusProtocolException($"{_endpointName} sent {partial} bytes that are not a whole Modbus frame; the stream lost sync."), onTheWire);
        else _slotFreed.Set();
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
    /// Feeds a unit's breaker: timeouts, corrupt answers and gateway "target failed" exceptions count as failures;
    /// any well-formed answer from the device is a success; link-level faults say nothing about the device.
    /// </summary>
    private void RecordOutcome(PendingRequest request, Exception? error, bool corruptAnswer = false)
    {
        var deviceFailure = corruptAnswer
            || error is TimeoutException
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

    /// <summary>
    /// Closes a connection once. What is still on the wire was not at fault (a culprit, when known, has been failed
    /// before): each such request goes back to the queue once, to be sent on the next connection; one that was
    /// retried already, or any while the link is disposed, fails with (a copy of) <paramref name="error"/>.
    /// </summary>
    private void Break(Connection connection, ModbusException error)
    {
        PendingRequest[]? onTheWire;
        lock (_gate)
        {
            if (connection.IsBroken) return;
            onTheWire = DetachLocked(connection);
        }
        FinishBreak(connection, error, onTheWire);
    }

    /// <summary>Marks the connection broken and empties the slots (under the link's lock); returns what was on the wire.</summary>
    private PendingRequest[]? DetachLocked(Connection connection)
    {
        PendingRequest[]? onTheWire = null;
        connection.IsBroken = true;
        if (_inFlight > 0)
        {
            onTheWire = new PendingRequest[_inFlight];
            var n = 0;
            for (var i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] is { } request) onTheWire[n++] = request;
                _slots[i] = null;
            }
            _inFlight = 0;
        }
        // Lazy reconnect: the next request connects, after a backoff that grows while connections keep failing.
        _reconnectAttempt = connection.HadResponse ? 1 : _reconnectAttempt + 1;
        var backoff = ReconnectBackoff.Delay(_reconnectAttempt, _options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _jitter);
        _nextConnectAt = _time.GetTimestamp() + ToTicks(backoff);
        return onTheWire;
    }

    private void FinishBreak(Connection connection, ModbusException error, PendingRequest[]? onTheWire)
    {
        try { connection.Socket.Shutdown(SocketShutdown.Both); }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
        connection.Socket.Dispose();
        _slotFreed.Set();
        if (!IsDisposed) Log.ConnectionBroken(_logger, _endpointName, error.Message, error);
        if (onTheWire is null) return;
        Array.Sort(onTheWire, static (a, b) => a.Sequence.CompareTo(b.Sequence));
        foreach (var request in onTheWire)
        {
            if (request.IsCompleted) continue;
            if (request.Retries < MaxRetriesAfterBreak && !IsDisposed)
            {
                request.Retries++;
                // A probe goes back as an ordinary request: admission makes it the probe again (or refuses it).
                if (request.IsProbe) AbandonProbe(request);
                request.IsProbe = false;
                Log.RequestRetried(_logger, _endpointName, request.UnitId, request.Function);
                if (_queue.Writer.TryWrite(request)) continue;
            }
            if (!request.TryClaim()) continue;
            if (request.IsProbe) RecordOutcome(request, error);
            request.Fail(error switch
            {
                ModbusProtocolException p => new ModbusCommunicationException(
                    $"The connection to {_endpointName} was broken by another answer: {p.Message}", p),
                _ => new ModbusCommunicationException(error.Message, error.InnerException),
            });
        }
    }

    /// <summary>A request whose connection broke under it goes out once more; a second break fails it (bounded work).</summary>
    private const int MaxRetriesAfterBreak = 1;
}
