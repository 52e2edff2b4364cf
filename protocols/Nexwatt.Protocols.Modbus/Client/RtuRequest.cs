using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>One request of a <see cref="ModbusRtuLink"/>: its PDU, where its answer goes, and the caller's task.</summary>
internal sealed class RtuRequest(byte unitId, ModbusFunctionCode function, ResponseShape shape)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;

    public readonly byte UnitId = unitId;
    public readonly byte Function = (byte)function;
    public readonly ResponseShape Shape = shape;
    public readonly byte[] Pdu = new byte[ModbusLimits.MaxPduLength];
    public int PduLength;
    public ushort EchoAddress;
    public ushort EchoValue;
    public ushort[]? Registers;
    public bool[]? Bits;
    public int Offset;
    public int Count;
    public bool IsProbe;
    public bool IsBackground;
    public CancellationToken CancellationToken { get; private set; }

    public Task Task => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    public void Start(CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
        // A queued request that its caller gives up on is skipped by the loop; one on the wire finishes its exchange
        // (the bus cannot take another request before the answer or the timeout anyway).
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.UnsafeRegister(static s => ((RtuRequest)s!).OnCanceled(), this);
    }

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

    public void TrySucceed()
    {
        _registration.Dispose();
        _completion.TrySetResult();
    }

    public void TryFail(Exception error)
    {
        _registration.Dispose();
        _completion.TrySetException(error);
    }

    private void OnCanceled() => _completion.TrySetCanceled(CancellationToken);
}
