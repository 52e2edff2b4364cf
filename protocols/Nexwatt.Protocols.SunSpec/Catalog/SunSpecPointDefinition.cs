using System.Globalization;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>Whether a point may be written by a master (model JSON <c>access</c>).</summary>
public enum SunSpecAccess
{
    /// <summary><c>R</c>: read-only.</summary>
    Read,
    /// <summary><c>RW</c>: read and write.</summary>
    ReadWrite,
}

/// <summary>One symbol of an enumeration or bit field: the name and its value (enum value or bit number).</summary>
/// <param name="Name">Symbol name as in the model definition.</param>
/// <param name="Value">Enumeration value, or bit index for bit fields.</param>
public sealed record SunSpecSymbol(string Name, long Value);

/// <summary>A point of a SunSpec model definition (model JSON schema, <c>definitions.point</c>).</summary>
public sealed class SunSpecPointDefinition
{
    internal SunSpecPointDefinition(
        string name, string? label, SunSpecPointType type, string typeName, int size, string? scaleFactor,
        string? units, SunSpecAccess access, bool mandatory, bool isStatic, long? value, int? count,
        IReadOnlyList<SunSpecSymbol> symbols)
    {
        Name = name;
        Label = label;
        Type = type;
        TypeName = typeName;
        Size = size;
        ScaleFactor = scaleFactor;
        Units = units;
        Access = access;
        Mandatory = mandatory;
        Static = isStatic;
        Value = value;
        Count = count;
        Symbols = symbols;
        if (scaleFactor is not null && int.TryParse(scaleFactor, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fixedSf))
            FixedScaleFactor = fixedSf;
    }

    /// <summary>Point name, unique within its group (e.g. <c>W</c>).</summary>
    public string Name { get; }

    /// <summary>Short human name, when the definition has one.</summary>
    public string? Label { get; }

    /// <summary>Point type.</summary>
    public SunSpecPointType Type { get; }

    /// <summary>The type as written in the JSON (<c>uint16</c>, <c>acc32</c>...).</summary>
    public string TypeName { get; }

    /// <summary>Size in 16-bit registers.</summary>
    public int Size { get; }

    /// <summary>
    /// Scale factor: the name of a <c>sunssf</c> point (searched in the point's own group, then its parents, as pysunspec2
    /// does), or a fixed power of ten written as an integer (see <see cref="FixedScaleFactor"/>); null when unscaled.
    /// </summary>
    public string? ScaleFactor { get; }

    /// <summary>The scale factor when the definition gives it as a constant integer.</summary>
    public int? FixedScaleFactor { get; }

    /// <summary>Units (e.g. <c>W</c>, <c>Hz</c>), when given.</summary>
    public string? Units { get; }

    /// <summary>Read-only or read-write.</summary>
    public SunSpecAccess Access { get; }

    /// <summary>True when the point is mandatory (<c>M</c>).</summary>
    public bool Mandatory { get; }

    /// <summary>True when the value never changes (<c>S</c>).</summary>
    public bool Static { get; }

    /// <summary>Fixed value given by the definition (the model id of <c>ID</c>, sometimes <c>L</c>).</summary>
    public long? Value { get; }

    /// <summary>The point-level <c>count</c> attribute when present (rare).</summary>
    public int? Count { get; }

    /// <summary>Enumeration or bit-field symbols (empty for other types).</summary>
    public IReadOnlyList<SunSpecSymbol> Symbols { get; }

    /// <summary>True when a master may write the point.</summary>
    public bool IsWritable => Access == SunSpecAccess.ReadWrite;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({TypeName}, {Size} reg)";
}
