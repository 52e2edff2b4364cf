using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>One Modbus write (function 0x10): registers at <see cref="Offset"/> from the model's ID register.</summary>
internal sealed record RegisterRun(int Offset, ushort[] Values);

/// <summary>
/// Plans the fewest writes that set some points of a model block: points are merged into one run when every register
/// between them belongs to a writable point (those are written back with the value just read); a read-only register
/// in between splits the run, because devices refuse a write that covers one. The run holding the enabling point
/// (StorCtl_Mod, WMaxLim_Ena) goes last, so a device never acts on an enable with stale rates or revert timer.
/// </summary>
internal static class RegisterRuns
{
    public static IReadOnlyList<RegisterRun> Plan(SunSpecModelBlock block, IReadOnlyCollection<string> points, string? enablingPoint)
    {
        var writable = new HashSet<int>();
        foreach (var path in block.PointPaths)
        {
            var definition = block.GetDefinition(path);
            if (!definition.IsWritable) continue;
            var offset = block.GetOffset(path);
            for (var i = 0; i < definition.Size; i++) writable.Add(offset + i);
        }

        var spans = points.Select(p => (Start: block.GetOffset(p), End: block.GetOffset(p) + block.GetDefinition(p).Size, Enables: p == enablingPoint))
            .OrderBy(s => s.Start).ToList();
        var merged = new List<(int Start, int End, bool Enables)>();
        foreach (var span in spans)
        {
            if (merged.Count > 0 && Enumerable.Range(merged[^1].End, Math.Max(0, span.Start - merged[^1].End)).All(writable.Contains))
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, span.End), merged[^1].Enables || span.Enables);
            else
                merged.Add(span);
        }
        return merged.OrderBy(m => m.Enables).Select(m => new RegisterRun(m.Start, block.Registers.Span[m.Start..m.End].ToArray())).ToList();
    }
}
