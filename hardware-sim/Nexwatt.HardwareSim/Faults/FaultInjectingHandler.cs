using Nexwatt.Protocols.Modbus.Server;

namespace Nexwatt.HardwareSim.Faults;

/// <summary>
/// Decorates the real request handler of a listener with each unit's fault plan: drops, delays,
/// exception answers, garbage and corrupted frames. Unit ids with no device pass straight through.
/// </summary>
internal sealed class FaultInjectingHandler(IModbusServerHandler inner, Func<byte, DeviceFaults?> faultsForUnit, TimeProvider time) : IModbusServerHandler
{
    public async ValueTask<ModbusServerReply> HandleAsync(byte unitId, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var faults = faultsForUnit(unitId);
        if (faults is null) return await inner.HandleAsync(unitId, request, cancellationToken).ConfigureAwait(false);

        var decision = faults.Next(out var delay, out var garbage);
        if (delay > TimeSpan.Zero) await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        switch (decision)
        {
            case FaultDecision.Drop:
                return ModbusServerReply.Close;
            case FaultDecision.Exception:
                return ModbusServerReply.Fail(faults.Plan.ExceptionCode);
            case FaultDecision.Garbage:
                return ModbusServerReply.Raw(garbage);
        }

        var reply = await inner.HandleAsync(unitId, request, cancellationToken).ConfigureAwait(false);
        if (decision == FaultDecision.Corrupt && reply.Kind == ModbusServerReplyKind.Respond && !reply.Pdu.IsEmpty)
        {
            // Flip a bit of the function code: the frame stays well formed but answers a function
            // the master never asked, which a correct client must treat as a protocol violation.
            var corrupted = reply.Pdu.ToArray();
            corrupted[0] ^= 0x20;
            return ModbusServerReply.Respond(corrupted);
        }
        return reply;
    }
}
