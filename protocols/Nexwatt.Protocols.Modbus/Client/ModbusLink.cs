using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// The one owner of a physical Modbus link (one TCP endpoint): every request to every unit id behind it is
/// scheduled here, over exactly one connection at a time.
/// <list type="bullet">
/// <item>Callers queue requests; one writer loop owns the socket, connects lazily (with exponential backoff and
/// jitter after failures), keeps at most <see cref="ModbusTcpLinkOptions.MaxInFlight"/> requests on the wire and
/// batches pipelined requests into one send.</item>
/// <item>One read loop (PipeReader) parses MBAP frames and matches responses by transaction id; a stale or unknown
/// id is discarded. An I/O error or a malformed frame breaks the connection and fails what is on the wire.</item>
/// <item>Response timeouts come from one timer per link, armed for the oldest deadline: no timer or token source
/// per request. A timeout raises <see cref="TimeoutException"/>; only the caller's token raises
/// <see cref="OperationCanceledException"/>.</item>
/// <item>Each unit id has a circuit breaker so that a dead device fails fast instead of queuing timeouts in front
/// of the healthy devices on the same link.</item>
/// </list>
/// </summary>
public sealed partial class ModbusLink : IModbusClient, IAsyncDisposable
{
    private readonly ModbusTcpLinkOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BreakerClock _clock;
    private readonly string _endpointName;
    private readonly Channel<PendingRequest> _queue;
    private readonly object _gate = new();
    private readonly PendingRequest?[] _slots;
    private readonly AsyncSignal _slotFreed = new();
    private readonly UnitState?[] _units = new UnitState?[256];
    private readonly Stack<PendingRequest> _pool = new();
    private readonly ITimer _timeoutTimer;
    private readonly long _responseTimeoutTicks;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Random _jitter = new();
    private readonly Task _writerLoop;
    private int _inFlight;
    private long _timerDue = long.MaxValue;
    private long _connectionsOpened;
    private int _disposed;

    public ModbusLink(ModbusTcpLinkOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _clock = new BreakerClock(_time);
        _endpointName = _options.EndpointName;
        _slots = new PendingRequest?[_options.MaxInFlight];
        _responseTimeoutTicks = ToTicks(_options.ResponseTimeout);
        // Unbounded on purpose: each entry is a caller awaiting its own request, so callers bound the queue;
        // MaxInFlight bounds what is on the wire.
        _queue = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        _timeoutTimer = _time.CreateTimer(static s => ((ModbusLink)s!).OnTimeoutTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _writerLoop = Task.Run(WriterLoopAsync);
    }

    /// <summary>"host:port" of this link.</summary>
    public string Endpoint => _endpointName;

    /// <summary>A copy of the options this link runs with.</summary>
    public ModbusTcpLinkOptions Options => _options.Clone();

    /// <summary>True while a TCP connection is up.</summary>
    public bool IsConnected => _connection is { IsBroken: false };

    /// <summary>TCP connections this link has opened so far (diagnostics: one at a time, ever).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Registers a device's quirks for one unit id on this link.</summary>
    public void Configure(byte unitId, ModbusDeviceQuirks quirks)
    {
        ArgumentNullException.ThrowIfNull(quirks);
        quirks.Validate();
        lock (_gate) GetOrCreateUnit(unitId).Quirks = quirks;
    }

    /// <summary>The quirks registered for a unit id (<see cref="ModbusDeviceQuirks.Default"/> when none).</summary>
    public ModbusDeviceQuirks GetQuirks(byte unitId) => Volatile.Read(ref _units[unitId])?.Quirks ?? ModbusDeviceQuirks.Default;

    /// <summary>Whether the unit's circuit breaker refuses requests now, and until when.</summary>
    public bool IsUnitAvailable(byte unitId, out DateTimeOffset retryAfter)
    {
        lock (_gate)
        {
            retryAfter = default;
            if (Volatile.Read(ref _units[unitId]) is not { } unit || !unit.Breaker.Refuses(_time.GetTimestamp())) return true;
            retryAfter = RetryAfter(unit.Breaker);
            return false;
        }
    }

    public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, unitId, address, count, cancellationToken);

    public ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, unitId, address, count, cancellationToken);

    public ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadBitsAsync(ModbusFunctionCode.ReadCoils, unitId, address, count, cancellationToken);

    public ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, unitId, address, count, cancellationToken);

    public ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        var request = Rent(unitId, ModbusFunctionCode.WriteSingleCoil, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteSingleCoil(request.Pdu, address, value);
        request.EchoAddress = address;
        request.EchoValue = value ? (ushort)0xFF00 : (ushort)0;
        return Submit(request, cancellationToken);
    }

    public ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        var request = Rent(unitId, ModbusFunctionCode.WriteSingleRegister, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteSingleRegister(request.Pdu, address, value);
        request.EchoAddress = address;
        request.EchoValue = value;
        return Submit(request, cancellationToken);
    }

    public ValueTask WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        ModbusArguments.CheckWrite(address, values.Length, ModbusLimits.MaxWriteBits, "Write Multiple Coils (0x0F)", nameof(values));
        var request = Rent(unitId, ModbusFunctionCode.WriteMultipleCoils, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteMultipleCoils(request.Pdu, address, values.Span);
        request.EchoAddress = address;
        request.EchoValue = (ushort)values.Length;
        return Submit(request, cancellationToken);
    }

    public ValueTask WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        ModbusArguments.CheckWrite(address, values.Length, ModbusLimits.MaxWriteRegisters, "Write Multiple Registers (0x10)", nameof(values));
        var request = Rent(unitId, ModbusFunctionCode.WriteMultipleRegisters, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteMultipleRegisters(request.Pdu, address, values.Span);
        request.EchoAddress = address;
        request.EchoValue = (ushort)values.Length;
        return Submit(request, cancellationToken);
    }

    /// <summary>Function 0x17: writes, then reads, in one atomic request. Neither part is split.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ushort[]> ReadWriteMultipleRegistersAsync(byte unitId, ushort readAddress, ushort readCount, ushort writeAddress,
        ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        ModbusArguments.CheckQuantity(readAddress, readCount, ModbusLimits.MaxReadWriteReadRegisters, "Read/Write Multiple Registers (0x17) read", nameof(readCount));
        ModbusArguments.CheckWrite(writeAddress, values.Length, ModbusLimits.MaxReadWriteWriteRegisters, "Read/Write Multiple Registers (0x17) write", nameof(values));
        var result = new ushort[readCount];
        var request = Rent(unitId, ModbusFunctionCode.ReadWriteMultipleRegisters, ResponseShape.Registers);
        request.PduLength = ModbusRequestEncoder.WriteReadWriteMultipleRegisters(request.Pdu, readAddress, readCount, writeAddress, values.Span);
        request.Registers = result;
        request.Offset = 0;
        request.Count = readCount;
        await Submit(request, cancellationToken).ConfigureAwait(false);
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ushort[]> ReadRegistersAsync(ModbusFunctionCode function, byte unitId, ushort address, ushort count, CancellationToken cancellationToken)
    {
        ModbusArguments.CheckReadRange(address, count, nameof(count));
        var result = new ushort[count];
        var chunk = GetQuirks(unitId).MaxRegistersPerRead;
        if (count <= chunk)
        {
            await Submit(RentRead(function, unitId, address, count, result, null, 0), cancellationToken).ConfigureAwait(false);
            return result;
        }
        await SubmitSplitAsync(function, unitId, address, count, chunk, result, null, cancellationToken).ConfigureAwait(false);
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool[]> ReadBitsAsync(ModbusFunctionCode function, byte unitId, ushort address, ushort count, CancellationToken cancellationToken)
    {
        ModbusArguments.CheckReadRange(address, count, nameof(count));
        var result = new bool[count];
        if (count <= ModbusLimits.MaxReadBits)
        {
            await Submit(RentRead(function, unitId, address, count, null, result, 0), cancellationToken).ConfigureAwait(false);
            return result;
        }
        await SubmitSplitAsync(function, unitId, address, count, ModbusLimits.MaxReadBits, null, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>A read over the PDU limit goes out as several requests (pipelined when MaxInFlight allows).</summary>
    private async ValueTask SubmitSplitAsync(ModbusFunctionCode function, byte unitId, ushort address, int count, int chunk,
        ushort[]? registers, bool[]? bits, CancellationToken cancellationToken)
    {
        var parts = new List<ValueTask>((count + chunk - 1) / chunk);
        Exception? first = null;
        try
        {
            for (var offset = 0; offset < count; offset += chunk)
            {
                var size = Math.Min(chunk, count - offset);
                parts.Add(Submit(RentRead(function, unitId, (ushort)(address + offset), (ushort)size, registers, bits, offset), cancellationToken));
            }
        }
        catch (Exception ex)
        {
            first = ex;
        }
        foreach (var part in parts)
        {
            try { await part.ConfigureAwait(false); }
            catch (Exception ex) { first ??= ex; }
        }
        if (first is not null) ExceptionDispatchInfoThrow(first);
    }

    private static void ExceptionDispatchInfoThrow(Exception ex) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex);

    private PendingRequest RentRead(ModbusFunctionCode function, byte unitId, ushort address, ushort count, ushort[]? registers, bool[]? bits, int offset)
    {
        var request = Rent(unitId, function, registers is not null ? ResponseShape.Registers : ResponseShape.Bits);
        request.PduLength = ModbusRequestEncoder.WriteRead(request.Pdu, function, address, count);
        request.Registers = registers;
        request.Bits = bits;
        request.Offset = offset;
        request.Count = count;
        return request;
    }

    private PendingRequest Rent(byte unitId, ModbusFunctionCode function, ResponseShape shape)
    {
        PendingRequest? request = null;
        lock (_pool)
            if (_pool.Count > 0) request = _pool.Pop();
        request ??= new PendingRequest(this);
        request.UnitId = unitId;
        request.Function = (byte)function;
        request.Shape = shape;
        return request;
    }

    internal void Return(PendingRequest request)
    {
        request.Reset();
        lock (_pool)
            if (_pool.Count < _slots.Length * 4 + 16) _pool.Push(request);
    }

    /// <summary>Queues a request for the writer loop; fails fast when the unit's breaker is open.</summary>
    private ValueTask Submit(PendingRequest request, CancellationToken cancellationToken)
    {
        if (IsDisposed) return ValueTask.FromException(new ObjectDisposedException(nameof(ModbusLink)));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (Volatile.Read(ref _units[request.UnitId]) is { } unit)
        {
            lock (_gate)
            {
                if (unit.Breaker.Refuses(_time.GetTimestamp()))
                    return ValueTask.FromException(Unavailable(request.UnitId, unit.Breaker));
            }
        }
        request.Start(cancellationToken);
        if (!_queue.Writer.TryWrite(request) && request.TryClaim())
            request.Fail(new ObjectDisposedException(nameof(ModbusLink)));
        return request.AsValueTask();
    }

    /// <summary>Fails queued and in-flight requests, closes the connection and stops the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _disposing.Cancel();
        _slotFreed.Set();
        if (_connection is { } connection) Break(connection, new ModbusCommunicationException($"The Modbus link {_endpointName} was disposed."));
        try { await _writerLoop.ConfigureAwait(false); }
        catch (Exception ex) { Log.LoopFailed(_logger, _endpointName, ex); }
        // The writer may have published a connection after the Break above (a connect that completed as we were
        // cancelling it); it has stopped now, so _connection is final. Break is a no-op for one already broken.
        if (_connection is { } last)
        {
            Break(last, new ModbusCommunicationException($"The Modbus link {_endpointName} was disposed."));
            if (last.ReadLoop is { } readLoop) await readLoop.ConfigureAwait(false);
        }
        await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    private UnitState GetOrCreateUnit(byte unitId)
    {
        var unit = _units[unitId];
        if (unit is null)
        {
            unit = new UnitState(new CircuitBreaker(_options.BreakerFailureThreshold, ToTicks(_options.BreakerOpenMin), ToTicks(_options.BreakerOpenMax)));
            Volatile.Write(ref _units[unitId], unit);
        }
        return unit;
    }

    private ModbusDeviceUnavailableException Unavailable(byte unitId, CircuitBreaker breaker)
        => new($"Unit {unitId} on {_endpointName} is paused by its circuit breaker after repeated failures.", RetryAfter(breaker));

    private DateTimeOffset RetryAfter(CircuitBreaker breaker) => _clock.RetryAfter(breaker);

    private long ToTicks(TimeSpan span) => _clock.ToTicks(span);

    private TimeSpan ToTimeSpan(long ticks) => _clock.ToTimeSpan(ticks);

    /// <summary>One unit id's state on this link; guarded by the link's lock.</summary>
    private sealed class UnitState(CircuitBreaker breaker)
    {
        public ModbusDeviceQuirks Quirks = ModbusDeviceQuirks.Default;
        public readonly CircuitBreaker Breaker = breaker;
        public long LastTraffic = long.MinValue;
    }

    /// <summary>One TCP connection; the link holds at most one that is not broken.</summary>
    private sealed class Connection(Socket socket)
    {
        public Socket Socket { get; } = socket;
        // Made while the socket is surely connected (a NetworkStream refuses a socket that is not).
        public NetworkStream Stream { get; } = new(socket, ownsSocket: false);
        public volatile bool IsBroken;
        public bool HadResponse;
        public Task? ReadLoop;
        // Bytes the read loop holds that do not make a whole frame yet; read by the timeout timer.
        public volatile int PartialBytes;
    }
}
