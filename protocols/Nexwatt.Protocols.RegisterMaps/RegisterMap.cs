namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>
/// One device family's Modbus registers as data: what to read, how to decode it, which canonical measurement each
/// point stands for (with its sign), how to recognise the device, and how to command it when it can be commanded.
/// Built by <see cref="RegisterMapParser"/>, which has checked every cross-reference.
/// </summary>
public sealed record RegisterMap(
    string Name,
    string Manufacturer,
    string Description,
    string Source,
    MapDefaults Defaults,
    MapLimits Limits,
    IReadOnlyList<RegisterPoint> Points,
    IReadOnlyList<IdentificationRule> Identification,
    MapControl? Control)
{
    public RegisterPoint? Find(string name) => Points.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    public RegisterPoint Get(string name) => Find(name) ?? throw new KeyNotFoundException($"map {Name} has no point '{name}'");
}

/// <summary>Where the device is normally reached and how its multi-register values are laid out unless a point says otherwise.</summary>
public sealed record MapDefaults(int Port, byte UnitId, WordOrder WordOrder, ByteOrder ByteOrder);

/// <summary>What the device tolerates in one read: the most registers, and the widest hole worth reading through.</summary>
public sealed record MapLimits(int MaxRegistersPerRead, int MaxGap);

/// <summary>One value on the device.</summary>
public sealed record RegisterPoint(
    string Name,
    ushort Address,
    RegisterKind Kind,
    PointType Type,
    int Length,
    WordOrder WordOrder,
    ByteOrder ByteOrder,
    double Scale,
    string? ScaleRegister,
    string? Unit,
    IReadOnlyList<NotAvailableValue> NotAvailable,
    string? Canonical,
    int Sign,
    string? SubDevice,
    byte? UnitId,
    ushort BitMask,
    bool Writable)
{
    /// <summary>Registers (or bits, for coils and discrete inputs) the point occupies.</summary>
    public int Count => Kind.IsBits() ? 1 : Type switch
    {
        PointType.String => Length,
        PointType.Int32 or PointType.UInt32 or PointType.Float32 => 2,
        PointType.Int64 or PointType.UInt64 or PointType.Float64 => 4,
        _ => 1,
    };
}

public enum RegisterKind { Holding, Input, Coil, Discrete }

public enum PointType { Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64, String, Bool }

/// <summary>Order of the 16-bit words of a 32- or 64-bit value.</summary>
public enum WordOrder { HighFirst, LowFirst }

/// <summary>Order of the two bytes inside each register; Modbus itself is big-endian.</summary>
public enum ByteOrder { BigEndian, LittleEndian }

/// <summary>A raw value the device uses for "not available" (0x7FFF, 0xFFFFFFFF...), or any NaN for floats.</summary>
public readonly record struct NotAvailableValue(ulong RawBits, bool IsNaN)
{
    public static NotAvailableValue NaN => new(0, true);
}

/// <summary>A condition on a decoded point that a device of this map satisfies (detection).</summary>
public sealed record IdentificationRule(string Point, string? EqualTo, string? StartsWith, double? Minimum, double? Maximum, bool NonEmpty);

/// <summary>
/// How a battery of this map is commanded: what to write to charge, to discharge and to stop, where its rating, state
/// of charge and measured power are, and the device's own revert timer, if it has one.
/// </summary>
public sealed record MapControl(
    ControlQuantity Rating,
    string StateOfChargePoint,
    string? ReservePoint,
    string MeasuredPowerPoint,
    IReadOnlyList<ControlWrite> Charge,
    IReadOnlyList<ControlWrite> Discharge,
    IReadOnlyList<ControlWrite> Stop,
    string RevertNote)
{
    /// <summary>
    /// How often at most the setpoint must be written again, when the device drops it sooner than the agent's own
    /// re-assert interval (a Victron Multi in ESS mode 3 takes over again after about 10 s); null: the agent's interval.
    /// </summary>
    public TimeSpan? ReassertWithin { get; init; }
}

/// <summary>A fixed figure (W) or a point that holds it.</summary>
public sealed record ControlQuantity(double? Watts, string? Point);

/// <summary>One register write of a control step; the value is a constant or an expression of the target.</summary>
public sealed record ControlWrite(string Point, ControlValue Value, double Constant);

public enum ControlValue
{
    /// <summary><see cref="ControlWrite.Constant"/>, in the point's engineering unit.</summary>
    Constant,
    /// <summary>The magnitude of the target, W.</summary>
    PowerWatts,
    /// <summary>The target in the point's own sign (the point's sign maps it to ours), W.</summary>
    SignedPowerWatts,
    /// <summary>The magnitude of the target in percent of the rating.</summary>
    PowerPercentOfRating,
    /// <summary>
    /// Minus that percentage: a SunSpec 124 rate limit below zero forces the other direction (a GEN24's OutWRte at -40 %
    /// with the discharge limit on makes the battery charge at 40 %, which is how evcc's template forces a charge).
    /// </summary>
    NegatedPowerPercentOfRating,
    /// <summary>The agent's revert timeout, seconds.</summary>
    RevertSeconds,
    /// <summary>The agent's revert timeout, minutes rounded up.</summary>
    RevertMinutes,
}

internal static class RegisterKindExtensions
{
    public static bool IsBits(this RegisterKind kind) => kind is RegisterKind.Coil or RegisterKind.Discrete;
}
