using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Rtu;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// The one owner of an RTU bus (one RS-485 pair behind a serial port, or behind a TCP gateway carrying RTU frames).
/// RTU has no transaction id, so the units on the bus are polled in turn: one thread of its own takes the queued
/// requests one by one, never has two on the wire, and waits for each answer in the kernel (a bus costs one thread
/// and no timers, which keeps the CPU per read near a C client's). Each unit has a circuit breaker (the same one as the TCP link): a dead or slow
/// unit costs the others its response timeout, then its breaker keeps it off the bus until its probe. The channel is
/// opened lazily and reopened with backoff after a failure; a port that is missing or busy fails the requests with
/// <see cref="ModbusCommunicationException"/> and is tried again later.
/// </summary>
public sealed partial class ModbusRtuLink : IModbusClient, IAsyncDisposable
{
    private readonly IModbusRtuTransport _transport;
    private readonly ModbusRtuLinkOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BreakerClock _clock;
    private readonly RtuBusQueue _queue = new();
    private readonly UnitState?[] _units = new UnitState?[256];
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Random _jitter = new();
    private readonly Thread _bus;
    private readonly TaskCompletionSource _busStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RtuExchange? _exchange;
    private int _openAttempt;
    private long _nextOpenAt = long.MinValue;
    private Exception? _lastOpenError;
    private int _disposed;

    public ModbusRtuLink(IModbusRtuTransport transport, ModbusRtuLinkOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _options = (options ?? new ModbusRtuLinkOptions()).Clone();
        _options.Validate(transport.Name);
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _clock = new BreakerClock(_time);
        // The queue is unbounded on purpose: each entry is a caller awaiting its own request, so the callers bound it.
        _bus = new Thread(BusLoop) { IsBackground = true, Name = $"modbus-rtu {transport.Name}" };
        _bus.Start();
    }

    /// <summary>The bus's name (the serial device path, or tcp://host:port).</summary>
    public string Name => _transport.Name;

    /// <summary>True while the channel is open.</summary>
    public bool IsOpen => _exchange is { IsBroken: false };

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Registers a device's quirks for one unit id on this bus.</summary>
    public void Configure(byte unitId, ModbusDeviceQuirks quirks)
    {
        ArgumentNullException.ThrowIfNull(quirks);
        quirks.Validate();
        lock (_gate) GetOrCreateUnit(unitId).Quirks = quirks;
    }

    public ModbusDeviceQuirks GetQuirks(byte unitId) => Volatile.Read(ref _units[unitId])?.Quirks ?? ModbusDeviceQuirks.Default;

    /// <summary>Whether the unit's circuit breaker refuses requests now, and until when.</summary>
    public bool IsUnitAvailable(byte unitId, out DateTimeOffset retryAfter)
    {
        lock (_gate)
        {
            retryAfter = default;
            if (_units[unitId] is not { } unit || !unit.Breaker.Refuses(_time.GetTimestamp())) return true;
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
        var request = new RtuRequest(unitId, ModbusFunctionCode.WriteSingleCoil, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteSingleCoil(request.Pdu, address, value);
        request.EchoAddress = address;
        request.EchoValue = value ? (ushort)0xFF00 : (ushort)0;
        return new ValueTask(Submit(request, cancellationToken));
    }

    public ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        var request = new RtuRequest(unitId, ModbusFunctionCode.WriteSingleRegister, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteSingleRegister(request.Pdu, address, value);
        request.EchoAddress = address;
        request.EchoValue = value;
        return new ValueTask(Submit(request, cancellationToken));
    }

    public ValueTask WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        ModbusArguments.CheckWrite(address, values.Length, ModbusLimits.MaxWriteBits, "Write Multiple Coils (0x0F)", nameof(values));
        var request = new RtuRequest(unitId, ModbusFunctionCode.WriteMultipleCoils, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteMultipleCoils(request.Pdu, address, values.Span);
        request.EchoAddress = address;
        request.EchoValue = (ushort)values.Length;
        return new ValueTask(Submit(request, cancellationToken));
    }

    public ValueTask WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        ModbusArguments.CheckWrite(address, values.Length, ModbusLimits.MaxWriteRegisters, "Write Multiple Registers (0x10)", nameof(values));
        var request = new RtuRequest(unitId, ModbusFunctionCode.WriteMultipleRegisters, ResponseShape.Echo);
        request.PduLength = ModbusRequestEncoder.WriteMultipleRegisters(request.Pdu, address, values.Span);
        request.EchoAddress = address;
        request.EchoValue = (ushort)values.Length;
        return new ValueTask(Submit(request, cancellationToken));
    }

    private async ValueTask<ushort[]> ReadRegistersAsync(ModbusFunctionCode function, byte unitId, ushort address, ushort count, CancellationToken cancellationToken)
    {
        ModbusArguments.CheckReadRange(address, count, nameof(count));
        var result = new ushort[count];
        var chunk = GetQuirks(unitId).MaxRegistersPerRead;
        // A bus carries one request at a time, so the parts of a long read go out one after the other.
        for (var offset = 0; offset < count; offset += chunk)
        {
            var size = (ushort)Math.Min(chunk, count - offset);
            var request = new RtuRequest(unitId, function, ResponseShape.Registers) { Registers = result, Offset = offset, Count = size };
            request.PduLength = ModbusRequestEncoder.WriteRead(request.Pdu, function, (ushort)(address + offset), size);
            await Submit(request, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    private async ValueTask<bool[]> ReadBitsAsync(ModbusFunctionCode function, byte unitId, ushort address, ushort count, CancellationToken cancellationToken)
    {
        ModbusArguments.CheckReadRange(address, count, nameof(count));
        var result = new bool[count];
        for (var offset = 0; offset < count; offset += ModbusLimits.MaxReadBits)
        {
            var size = (ushort)Math.Min(ModbusLimits.MaxReadBits, count - offset);
            var request = new RtuRequest(unitId, function, ResponseShape.Bits) { Bits = result, Offset = offset, Count = size };
            request.PduLength = ModbusRequestEncoder.WriteRead(request.Pdu, function, (ushort)(address + offset), size);
            await Submit(request, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>Queues a request for the bus loop; fails fast when the unit's breaker is open.</summary>
    private Task Submit(RtuRequest request, CancellationToken cancellationToken)
    {
        if (IsDisposed) return Task.FromException(new ObjectDisposedException(nameof(ModbusRtuLink)));
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        lock (_gate)
        {
            if (_units[request.UnitId] is { } unit && unit.Breaker.Refuses(_time.GetTimestamp()))
                return Task.FromException(Unavailable(request.UnitId, unit.Breaker));
        }
        request.IsBackground = GetQuirks(request.UnitId).Background;
        request.Start(cancellationToken);
        // False when disposed between the check above and here.
        if (!_queue.TryAdd(request)) request.TryFail(new ObjectDisposedException(nameof(ModbusRtuLink)));
        return request.Task;
    }

    /// <summary>Fails what is queued, closes the channel and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _disposing.Cancel();
        _queue.Complete();
        // The bus thread sees the cancellation within one kernel wait (at most 100 ms) and closes the channel.
        await _busStopped.Task.ConfigureAwait(false);
        _disposing.Dispose();
    }

    private UnitState GetOrCreateUnit(byte unitId)
    {
        var unit = _units[unitId];
        if (unit is not null) return unit;
        unit = new UnitState(new CircuitBreaker(_options.BreakerFailureThreshold, ToTicks(_options.BreakerOpenMin), ToTicks(_options.BreakerOpenMax)));
        Volatile.Write(ref _units[unitId], unit);
        return unit;
    }

    private ModbusDeviceUnavailableException Unavailable(byte unitId, CircuitBreaker breaker)
        => new($"Unit {unitId} on {Name} is paused by its circuit breaker after repeated failures.", RetryAfter(breaker));

    private DateTimeOffset RetryAfter(CircuitBreaker breaker) => _clock.RetryAfter(breaker);

    private long ToTicks(TimeSpan span) => _clock.ToTicks(span);

    private TimeSpan ToTimeSpan(long ticks) => _clock.ToTimeSpan(ticks);

    /// <summary>One unit id's state on this bus; guarded by the link's lock.</summary>
    private sealed class UnitState(CircuitBreaker breaker)
    {
        public ModbusDeviceQuirks Quirks = ModbusDeviceQuirks.Default;
        public readonly CircuitBreaker Breaker = breaker;
        public long LastTraffic = long.MinValue;
    }
}
