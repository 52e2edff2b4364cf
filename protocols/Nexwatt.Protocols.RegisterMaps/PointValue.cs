using System.Globalization;

namespace Nexwatt.Protocols.RegisterMaps;

public enum PointValueKind { NotAvailable, Number, Text, Bool }

/// <summary>A decoded point: a number in the point's engineering unit (scale applied), a text, a flag, or "not available".</summary>
public readonly record struct PointValue(PointValueKind Kind, double Number, string? Text, ulong RawBits)
{
    public static PointValue NotAvailable(ulong raw) => new(PointValueKind.NotAvailable, double.NaN, null, raw);

    public double? AsNumber => Kind == PointValueKind.Number ? Number : Kind == PointValueKind.Bool ? Number : null;

    public override string ToString() => Kind switch
    {
        PointValueKind.NotAvailable => "n/a",
        PointValueKind.Number => Number.ToString("0.######", CultureInfo.InvariantCulture),
        PointValueKind.Bool => Number != 0 ? "true" : "false",
        _ => Text ?? "",
    };
}
