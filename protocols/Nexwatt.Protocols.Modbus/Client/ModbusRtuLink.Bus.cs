using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Rtu;

namespace Nexwatt.Protocols.Modbus.Client;

public sealed partial class ModbusRtuLink
{
    private readonly byte[] _answer = new byte[ModbusLimits.MaxPduLength];

    /// <summary>
    /// The one thread that owns the bus: admission, channel, pacing, exchange, breaker bookkeeping. Requests go out in
    /// the order they came, except that background ones (units marked <see cref="ModbusDeviceQuirks.Background"/>)
    /// wait while any other request is queued (<see cref="RtuBusQueue"/>).
    /// </summary>
    private void BusLoop()
    {
        try
        {
            while (!_disposing.IsCancellationRequested && _queue.TryTake(out var request))
            {
                if (request.IsCompleted) continue;
                try
                {
                    Execute(request);
                }
                catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
                {
                    request.TryFail(new ObjectDisposedException(nameof(ModbusRtuLink)));
                    break;
                }
                catch (Exception ex)
                {
                    Log.LoopFailed(_logger, Name, ex);
                    request.TryFail(new ModbusCommunicationException($"Scheduling a request on {Name} failed: {ex.Message}", ex));
                }
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested) { }
        finally
        {
            _queue.Complete();
            while (_queue.TryTake(out var left)) left.TryFail(new ObjectDisposedException(nameof(ModbusRtuLink)));
            if (_exchange is { } exchange) Close(exchange, null);
            _busStopped.TrySetResult();
        }
    }

    private void Execute(RtuRequest request)
    {
        if (!Admit(request)) return;
        var exchange = Open(request);
        if (exchange is null) return;
        var pause = PauseBefore(request.UnitId);
        if (pause > TimeSpan.Zero && _disposing.Token.WaitHandle.WaitOne(pause)) _disposing.Token.ThrowIfCancellationRequested();
        if (request.IsCompleted)
        {
            AbandonProbe(request);
            return;
        }

        Exception? error = null;
        try
        {
            // The caller's token is not passed: once a request is on the wire the bus is busy until its answer or
            // timeout, whatever the caller does; its task completes as cancelled at once all the same.
            var timeout = GetQuirks(request.UnitId).ResponseTimeout ?? _options.ResponseTimeout;
            var length = exchange.Exchange(request.UnitId, request.Pdu.AsSpan(0, request.PduLength), _answer, timeout, _disposing.Token);
            request.Decode(_answer.AsSpan(0, length));
        }
        catch (Exception ex) when (ex is ModbusException or TimeoutException)
        {
            error = ex;
        }
        if (error is ModbusCommunicationException)
        {
            Close(exchange, error);
            AbandonProbe(request);
        }
        else RecordOutcome(request, error);
        if (error is null) request.TrySucceed();
        else
        {
            if (error is TimeoutException or ModbusProtocolException) Log.UnitFailed(_logger, Name, request.UnitId, request.Function, error.Message);
            request.TryFail(error);
        }
    }

    /// <summary>Circuit-breaker admission at the moment the request would go out.</summary>
    private bool Admit(RtuRequest request)
    {
        ModbusDeviceUnavailableException refused;
        lock (_gate)
        {
            var unit = GetOrCreateUnit(request.UnitId);
            switch (unit.Breaker.Admit(_time.GetTimestamp()))
            {
                case BreakerAdmission.Allowed:
                    return true;
                case BreakerAdmission.Probe:
                    request.IsProbe = true;
                    Log.BreakerProbe(_logger, Name, request.UnitId);
                    return true;
                default:
                    refused = Unavailable(request.UnitId, unit.Breaker);
                    break;
            }
        }
        request.TryFail(refused);
        return false;
    }

    private void AbandonProbe(RtuRequest request)
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
        return last == long.MinValue ? TimeSpan.Zero : pause - _time.GetElapsedTime(last);
    }

    /// <summary>
    /// Timeouts and corrupt answers count against the unit; any well-formed answer, exception responses included,
    /// is the device alive. Gateway exceptions 0A/0B mean the device behind the gateway did not answer.
    /// </summary>
    private void RecordOutcome(RtuRequest request, Exception? error)
    {
        var deviceFailure = error is TimeoutException or ModbusProtocolException
            || error is ModbusRemoteException { Code: ModbusExceptionCode.GatewayTargetDeviceFailedToRespond or ModbusExceptionCode.GatewayPathUnavailable };
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var unit = GetOrCreateUnit(request.UnitId);
            unit.LastTraffic = now;
            if (!deviceFailure)
            {
                if (unit.Breaker.State != BreakerState.Closed) Log.BreakerClosed(_logger, Name, request.UnitId);
                unit.Breaker.OnSuccess();
            }
            else if (unit.Breaker.OnFailure(now, request.IsProbe))
                Log.BreakerOpened(_logger, Name, request.UnitId, unit.Breaker.CurrentOpenPeriod(_time.TimestampFrequency).TotalMilliseconds);
        }
    }

    /// <summary>The open channel, opening it (after the backoff of earlier failures) when needed; null when it cannot be.</summary>
    private RtuExchange? Open(RtuRequest request)
    {
        if (_exchange is { IsBroken: false } open) return open;
        if (_exchange is { } broken) Close(broken, null);
        var wait = _nextOpenAt == long.MinValue ? TimeSpan.Zero : ToTimeSpan(_nextOpenAt - _time.GetTimestamp());
        if (wait > TimeSpan.Zero)
        {
            // Fail fast while the backoff runs: a poller should not sit on a bus that is known to be down.
            AbandonProbe(request);
            request.TryFail(new ModbusCommunicationException(
                $"The RTU bus {Name} is down; the next attempt to open it is in {wait.TotalMilliseconds:0} ms.", _lastOpenError));
            return null;
        }
        try
        {
            // The bus thread blocks on the open (a TCP connect is bounded by its timeout): nothing else may use the bus meanwhile.
            var channel = _transport.OpenAsync(_disposing.Token).AsTask().GetAwaiter().GetResult();
            _exchange = new RtuExchange(channel, _options, _time, _logger, Name);
            _openAttempt = 0;
            _nextOpenAt = long.MinValue;
            Log.Opened(_logger, Name);
            return _exchange;
        }
        catch (ModbusCommunicationException ex)
        {
            _openAttempt++;
            var backoff = ReconnectBackoff.Delay(_openAttempt, _options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _jitter);
            _nextOpenAt = _time.GetTimestamp() + ToTicks(backoff);
            _lastOpenError = ex;
            Log.OpenFailed(_logger, Name, _openAttempt, backoff.TotalMilliseconds, ex);
            AbandonProbe(request);
            request.TryFail(ex);
            return null;
        }
    }

    private void Close(RtuExchange exchange, Exception? reason)
    {
        if (reason is not null)
        {
            Log.ChannelBroken(_logger, Name, reason.Message, reason);
            _openAttempt++;
            var backoff = ReconnectBackoff.Delay(_openAttempt, _options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _jitter);
            _nextOpenAt = _time.GetTimestamp() + ToTicks(backoff);
            _lastOpenError = reason;
        }
        _exchange = null;
        try
        {
            exchange.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            Log.ChannelBroken(_logger, Name, $"closing it failed: {ex.Message}", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1086, Level = LogLevel.Information, Message = "RTU bus {Bus} opened")]
        public static partial void Opened(ILogger logger, string bus);

        [LoggerMessage(EventId = 1087, Level = LogLevel.Warning, Message = "RTU bus {Bus} could not be opened (attempt {Attempt}); next try in {BackoffMs:0} ms")]
        public static partial void OpenFailed(ILogger logger, string bus, int attempt, double backoffMs, Exception error);

        [LoggerMessage(EventId = 1088, Level = LogLevel.Warning, Message = "RTU bus {Bus} broke: {Reason}")]
        public static partial void ChannelBroken(ILogger logger, string bus, string reason, Exception error);

        [LoggerMessage(EventId = 1089, Level = LogLevel.Debug, Message = "RTU bus {Bus}: unit {UnitId} failed function 0x{Function:X2}: {Reason}")]
        public static partial void UnitFailed(ILogger logger, string bus, byte unitId, byte function, string reason);

        [LoggerMessage(EventId = 1090, Level = LogLevel.Warning, Message = "RTU bus {Bus}: the breaker of unit {UnitId} opened for {OpenMs:0} ms")]
        public static partial void BreakerOpened(ILogger logger, string bus, byte unitId, double openMs);

        [LoggerMessage(EventId = 1091, Level = LogLevel.Information, Message = "RTU bus {Bus}: the breaker of unit {UnitId} closed")]
        public static partial void BreakerClosed(ILogger logger, string bus, byte unitId);

        [LoggerMessage(EventId = 1092, Level = LogLevel.Debug, Message = "RTU bus {Bus}: probing unit {UnitId} after its breaker pause")]
        public static partial void BreakerProbe(ILogger logger, string bus, byte unitId);

        [LoggerMessage(EventId = 1093, Level = LogLevel.Error, Message = "RTU bus {Bus}: its loop failed")]
        public static partial void LoopFailed(ILogger logger, string bus, Exception error);
    }
}
