namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>One Modbus read of a plan: a run of registers (or bits) of one kind on one unit, and the points inside it.</summary>
public sealed record ReadBlock(byte UnitId, RegisterKind Kind, ushort Start, int Count, IReadOnlyList<RegisterPoint> Points);

/// <summary>
/// Groups points into as few reads as the device allows: points of one unit and kind, sorted by address, share a read
/// while it stays within <see cref="MapLimits.MaxRegistersPerRead"/> and the hole between them is at most
/// <see cref="MapLimits.MaxGap"/> (many devices answer an exception for a read that crosses an unmapped register, so
/// the default gap is 0).
/// </summary>
public static class ReadPlanner
{
    public static IReadOnlyList<ReadBlock> Plan(IEnumerable<RegisterPoint> points, MapLimits limits, byte unitId)
    {
        var blocks = new List<ReadBlock>();
        var groups = points.GroupBy(p => (Unit: p.UnitId ?? unitId, p.Kind)).OrderBy(g => g.Key.Unit).ThenBy(g => g.Key.Kind);
        foreach (var group in groups)
        {
            var max = group.Key.Kind.IsBits() ? 2000 : limits.MaxRegistersPerRead;
            List<RegisterPoint> current = [];
            int start = 0, end = 0; // [start, end)
            foreach (var point in group.OrderBy(p => p.Address).ThenByDescending(p => p.Count))
            {
                var pointEnd = point.Address + point.Count;
                if (current.Count > 0 && point.Address - end <= limits.MaxGap && Math.Max(end, pointEnd) - start <= max)
                {
                    current.Add(point);
                    end = Math.Max(end, pointEnd);
                    continue;
                }
                if (current.Count > 0) blocks.Add(new ReadBlock(group.Key.Unit, group.Key.Kind, (ushort)start, end - start, current));
                current = [point];
                start = point.Address;
                end = pointEnd;
            }
            if (current.Count > 0) blocks.Add(new ReadBlock(group.Key.Unit, group.Key.Kind, (ushort)start, end - start, current));
        }
        return blocks;
    }
}
