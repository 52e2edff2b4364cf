using System.Threading.Tasks.Sources;
using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>What a response must look like for the request that asked for it.</summary>
internal enum ResponseShape : byte { Registers, Bits, Echo }

/// <summary>
/// One request of a <see cref="ModbusLink"/>, from the caller's await to its completion, pooled.
/// Exactly one party completes it: the party that wins <see cref="TryClaim"/> (the read loop on a response, the
/// timeout timer, the caller's cancellation, a broken connection or the writer). Only a request completed by the
/// read loop, whose completion has fully returned, goes back to the pool; every other path leaves it to the GC, so
/// a late callback can never touch a reused object.
/// </summary>
internal sealed class PendingRequest : IValueTaskSource
{
    private static readonly Action<object?> OnCanceledCallback = static state => ((PendingRequest)state!).OnCanceled();

    private readonly ModbusLink _owner;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private CancellationToken _cancellationToken;
    private int _state;
    private int _released;

    public PendingRequest(ModbusLink owner) => _owner = owner;

    public readonly byte[] Pdu = new byte[ModbusLimits.MaxPduLength];
    public int PduLength;
    public byte UnitId;
    public byte Function;
    public ResponseShape Shape;
    public ushort EchoAddress;
    public ushort EchoValue;
    public ushort[]? Registers;
    public bool[]? Bits;
    public int Offset;
    public int Count;

    // Set by the writer loop under the link's lock.
    public ushort TransactionId;
    public long Deadline;
    public bool IsProbe;
    // Send order on the link (never wraps, unlike the transaction id): the oldest request on the wire is the one
    // whose answer an in-order peer sends next.
    public long Sequence;
    // Times this request was put back in the queue because its connection broke for another unit's fault.
    public int Retries;

    public bool IsCompleted => Volatile.Read(ref _state) != 0;

    public ValueTask AsValueTask() => new(this, _core.Version);

    public void Start(CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        if (cancellationToken.CanBeCanceled) _registration = cancellationToken.UnsafeRegister(OnCanceledCallback, this);
    }

    /// <summary>True for the one party allowed to complete this request.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    /// <summary>Decodes the response PDU into the caller's destination (only after <see cref="TryClaim"/>).</summary>
    public void Decode(ReadOnlySpan<byte> pdu)
    {
        switch (Shape)
        {
            case ResponseShape.Registers:
                ModbusResponseDecoder.ReadRegisters(pdu, Function, Registers.AsSpan(Offset, Count));
                break;
            case ResponseShape.Bits:
                ModbusResponseDecoder.ReadBits(pdu, Function, Bits.AsSpan(Offset, Count));
                break;
            default:
                ModbusResponseDecoder.WriteEcho(pdu, Function, EchoAddress, EchoValue);
                break;
        }
    }

    /// <summary>Completes successfully (read loop only); the request may then return to the pool.</summary>
    public void Succeed()
    {
        _registration.Dispose();
        _core.SetResult(true);
        Volatile.Write(ref _released, 1);
    }

    public void Fail(Exception error)
    {
        _registration.Dispose();
        _core.SetException(error);
    }

    public void FailCanceled() => Fail(new OperationCanceledException(_cancellationToken));

    private void OnCanceled()
    {
        if (!TryClaim()) return;
        _owner.OnRequestCanceled(this);
        Fail(new OperationCanceledException(_cancellationToken));
    }

    /// <summary>Makes a pooled request ready for its next use.</summary>
    public void Reset()
    {
        _core.Reset();
        _registration = default;
        _cancellationToken = default;
        Registers = null;
        Bits = null;
        IsProbe = false;
        Retries = 0;
        _state = 0;
        _released = 0;
    }

    void IValueTaskSource.GetResult(short token)
    {
        var recycle = Volatile.Read(ref _released) == 1;
        _core.GetResult(token);
        if (recycle) _owner.Return(this);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
