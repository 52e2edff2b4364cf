using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// Per-device behaviour as data, registered per unit id on a link with <see cref="ModbusLink.Configure"/>.
/// The link honours the pauses and the read size; <see cref="WordOrder"/> is carried for decoders only.
/// </summary>
public sealed record ModbusDeviceQuirks
{
    public static ModbusDeviceQuirks Default { get; } = new();

    /// <summary>
    /// Quiet time after the TCP connection opens before the first request. The link is one connection, so it waits
    /// for the longest pause configured on any of its units.
    /// </summary>
    public TimeSpan PauseAfterConnect { get; init; }

    /// <summary>Minimum gap between the last traffic with this unit and its next request.</summary>
    public TimeSpan PauseBetweenRequests { get; init; }

    /// <summary>Largest register read per request (1..125); longer reads are split.</summary>
    public int MaxRegistersPerRead { get; init; } = ModbusLimits.MaxReadRegisters;

    /// <summary>
    /// This unit's response timeout on an RTU link, instead of the link's (null). A unit-id sweep gives the ids it probes
    /// a short one, so an empty address holds the bus for that long only; the TCP link keeps one timeout for all units.
    /// </summary>
    public TimeSpan? ResponseTimeout { get; init; }

    /// <summary>
    /// RTU link only: this unit's requests wait until no other unit's request is queued. A unit-id sweep marks the ids
    /// it probes so, so a poll of the devices on the bus waits at most for the one sweep request already on the wire.
    /// </summary>
    public bool Background { get; init; }

    /// <summary>The device's word order for multi-register values (not applied by the link).</summary>
    public ModbusWordOrder WordOrder { get; init; } = ModbusWordOrder.HighWordFirst;

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (PauseAfterConnect < TimeSpan.Zero) problems.Add($"PauseAfterConnect must not be negative (got {PauseAfterConnect}).");
        if (PauseBetweenRequests < TimeSpan.Zero) problems.Add($"PauseBetweenRequests must not be negative (got {PauseBetweenRequests}).");
        if (MaxRegistersPerRead is < 1 or > ModbusLimits.MaxReadRegisters)
            problems.Add($"MaxRegistersPerRead must be 1..{ModbusLimits.MaxReadRegisters} (got {MaxRegistersPerRead}).");
        if (ResponseTimeout is { } timeout && timeout <= TimeSpan.Zero) problems.Add($"ResponseTimeout must be positive (got {timeout}).");
        if (!Enum.IsDefined(WordOrder)) problems.Add($"WordOrder {WordOrder} is not defined.");
        if (problems.Count > 0) throw new ArgumentException($"Invalid Modbus device quirks: {string.Join(" ", problems)}");
    }
}
