using Nexwatt.Protocols.Modbus;

namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>One point as read: its definition and decoded value (engineering unit, the device's own sign).</summary>
public sealed record PointReading(RegisterPoint Point, PointValue Value)
{
    /// <summary>The value in the project's sign convention (export and discharge positive), for a point with a canonical measurement.</summary>
    public double? CanonicalValue => Point.Canonical is null ? null : Value.AsNumber * Point.Sign + 0.0; // + 0.0: never a "-0"
}

/// <summary>
/// Reads a map's points from one device through any Modbus link (TCP, RTU: <see cref="IModbusClient"/>), in as few
/// requests as the map's limits allow, and decodes them.
/// </summary>
public static class RegisterMapReader
{
    public static async Task<IReadOnlyList<PointReading>> ReadAsync(IModbusClient client, RegisterMap map, byte unitId,
        IEnumerable<RegisterPoint> points, CancellationToken cancellationToken)
    {
        var wanted = WithScaleRegisters(map, points);
        var raw = new Dictionary<string, (RegisterPoint Point, ushort[]? Words, bool Bit)>(StringComparer.Ordinal);
        foreach (var block in ReadPlanner.Plan(wanted, map.Limits, unitId))
        {
            if (block.Kind.IsBits())
            {
                var bits = block.Kind == RegisterKind.Coil
                    ? await client.ReadCoilsAsync(block.UnitId, block.Start, (ushort)block.Count, cancellationToken).ConfigureAwait(false)
                    : await client.ReadDiscreteInputsAsync(block.UnitId, block.Start, (ushort)block.Count, cancellationToken).ConfigureAwait(false);
                foreach (var p in block.Points) raw[p.Name] = (p, null, bits[p.Address - block.Start]);
                continue;
            }
            var words = block.Kind == RegisterKind.Holding
                ? await client.ReadHoldingRegistersAsync(block.UnitId, block.Start, (ushort)block.Count, cancellationToken).ConfigureAwait(false)
                : await client.ReadInputRegistersAsync(block.UnitId, block.Start, (ushort)block.Count, cancellationToken).ConfigureAwait(false);
            foreach (var p in block.Points) raw[p.Name] = (p, words.AsSpan(p.Address - block.Start, p.Count).ToArray(), false);
        }
        return Decode(raw.Values.Select(r => (r.Point, r.Words, r.Bit)).ToList(), points);
    }

    /// <summary>Decodes raw point contents (what a read returned), applying scale-factor registers.</summary>
    public static IReadOnlyList<PointReading> Decode(IReadOnlyList<(RegisterPoint Point, ushort[]? Words, bool Bit)> raw, IEnumerable<RegisterPoint> points)
    {
        var byName = raw.ToDictionary(r => r.Point.Name, StringComparer.Ordinal);
        var result = new List<PointReading>();
        foreach (var point in points)
        {
            var (_, words, bit) = byName[point.Name];
            if (words is null) { result.Add(new PointReading(point, PointCodec.Decode(bit))); continue; }
            var exponent = 0;
            if (point.ScaleRegister is { } sf)
            {
                var factor = PointCodec.Decode(byName[sf].Point, byName[sf].Words);
                // A scale factor that is itself "not available" (SunSpec 0x8000) makes the value unknown, never unscaled.
                if (factor.AsNumber is not { } f || f is < -10 or > 10) { result.Add(new PointReading(point, PointValue.NotAvailable(0))); continue; }
                exponent = (int)f;
            }
            result.Add(new PointReading(point, PointCodec.Decode(point, words, exponent)));
        }
        return result;
    }

    private static List<RegisterPoint> WithScaleRegisters(RegisterMap map, IEnumerable<RegisterPoint> points)
    {
        var list = points.ToList();
        foreach (var sf in list.Where(p => p.ScaleRegister is not null).Select(p => map.Get(p.ScaleRegister!)).ToList())
            if (!list.Contains(sf)) list.Add(sf);
        return list;
    }
}
