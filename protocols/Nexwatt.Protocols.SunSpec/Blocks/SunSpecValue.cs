using System.Globalization;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>Register order of 32-bit, 64-bit and float points. SunSpec mandates <see cref="HighWordFirst"/>; some devices swap words.</summary>
public enum SunSpecWordOrder
{
    /// <summary>Most significant register first (the SunSpec and Modbus convention).</summary>
    HighWordFirst,
    /// <summary>Least significant register first (word-swapped devices).</summary>
    LowWordFirst,
}

/// <summary>What a decoded <see cref="SunSpecValue"/> holds.</summary>
public enum SunSpecValueKind
{
    /// <summary>The point holds its "not implemented" sentinel, lies beyond the model length, or its scale factor is not implemented.</summary>
    NotImplemented,
    /// <summary>A number (integers, accumulators, floats, scale factors, counts), scaled.</summary>
    Number,
    /// <summary>A string.</summary>
    Text,
    /// <summary>An enumeration value (<see cref="SunSpecValue.Symbol"/> names it when the definition knows it).</summary>
    Enum,
    /// <summary>A bit field (<see cref="SunSpecValue.Bits"/> names the set bits the definition knows).</summary>
    Bitfield,
    /// <summary>An IPv4, IPv6 or EUI-48 address, formatted in <see cref="SunSpecValue.Text"/>.</summary>
    Address,
}

/// <summary>One decoded point value.</summary>
public readonly record struct SunSpecValue
{
    private readonly IReadOnlyList<string>? _bits;

    /// <summary>What the value holds.</summary>
    public SunSpecValueKind Kind { get; init; }

    /// <summary>The scaled number (raw × 10^sf) for numbers, enums and bit fields; null otherwise.</summary>
    public double? Value { get; init; }

    /// <summary>The raw integer as the type reads it (signed types sign-extended); 0 for strings and floats.</summary>
    public long Raw { get; init; }

    /// <summary>The raw register bits (for uint64/acc64 values beyond <see cref="long.MaxValue"/>).</summary>
    public ulong RawBits { get; init; }

    /// <summary>Text of strings and addresses.</summary>
    public string? Text { get; init; }

    /// <summary>Units from the definition.</summary>
    public string? Units { get; init; }

    /// <summary>The scale factor applied, when the point is scaled.</summary>
    public short? ScaleFactor { get; init; }

    /// <summary>The symbol name of an enumeration value, when the definition has one.</summary>
    public string? Symbol { get; init; }

    /// <summary>Names of the set bits of a bit field that the definition names.</summary>
    public IReadOnlyList<string> Bits { get => _bits ?? []; init => _bits = value; }

    /// <summary>True unless <see cref="Kind"/> is <see cref="SunSpecValueKind.NotImplemented"/>.</summary>
    public bool IsImplemented => Kind != SunSpecValueKind.NotImplemented;

    /// <summary>The "not implemented" value.</summary>
    public static SunSpecValue NotImplemented { get; } = new() { Kind = SunSpecValueKind.NotImplemented };

    /// <inheritdoc />
    public override string ToString()
    {
        var units = string.IsNullOrEmpty(Units) ? "" : " " + Units;
        return Kind switch
        {
            SunSpecValueKind.NotImplemented => "not implemented",
            SunSpecValueKind.Number => Value!.Value.ToString("R", CultureInfo.InvariantCulture) + units,
            SunSpecValueKind.Text or SunSpecValueKind.Address => Text ?? "",
            SunSpecValueKind.Enum => Symbol is null ? Raw.ToString(CultureInfo.InvariantCulture) : $"{Symbol} ({Raw.ToString(CultureInfo.InvariantCulture)})",
            SunSpecValueKind.Bitfield => $"0x{RawBits:X}" + (Bits.Count == 0 ? "" : " [" + string.Join(", ", Bits) + "]"),
            _ => "?",
        };
    }
}

/// <summary>A point of a model block with its path, definition and decoded value.</summary>
/// <param name="Path">Point path such as <c>W</c>, <c>module[0].DCV</c> or <c>Crv[1].Pt[0].V</c>.</param>
/// <param name="Definition">The point's definition.</param>
/// <param name="Offset">Register offset from the block's ID register.</param>
/// <param name="Value">The decoded value.</param>
public sealed record SunSpecPointValue(string Path, SunSpecPointDefinition Definition, int Offset, SunSpecValue Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path} = {Value}";
}
