namespace Nexwatt.Protocols.SunSpec.Internal;

/// <summary>One point placed in a model block.</summary>
internal sealed class PointSlot(string path, SunSpecPointDefinition definition, int offset, bool present)
{
    public string Path { get; } = path;
    public SunSpecPointDefinition Definition { get; } = definition;
    /// <summary>Register offset from the ID register.</summary>
    public int Offset { get; } = offset;
    /// <summary>False when the point lies (partly) beyond the model length or the buffer.</summary>
    public bool Present { get; } = present;
    /// <summary>Index of the sunssf slot that scales this point, or -1.</summary>
    public int ScaleFactorSlot { get; set; } = -1;
}

/// <summary>
/// Where every point of one model instance lies, given the repeat counts (SunSpec Information Model Specification:
/// points of a group, then its nested groups, instances back to back; count 0 = as many as fit in L).
/// </summary>
internal sealed class BlockLayout
{
    /// <summary>Upper bound of points in one block: a model is at most 65535 registers.</summary>
    private const int MaxSlots = 70_000;

    private readonly List<PointSlot> _slots = [];
    private readonly Dictionary<string, int> _byPath = new(StringComparer.Ordinal);
    private readonly List<(int Slot, int Count)> _countWrites = [];

    private BlockLayout() { }

    public IReadOnlyList<PointSlot> Slots => _slots;

    /// <summary>Registers laid out, starting at ID (ID + L + body).</summary>
    public int Size { get; private set; }

    /// <summary>Count points and the values <see cref="ForCreate"/> chose for them.</summary>
    public IReadOnlyList<(int Slot, int Count)> CountWrites => _countWrites;

    public bool TryFind(string path, out PointSlot slot)
    {
        if (_byPath.TryGetValue(path, out var index))
        {
            slot = _slots[index];
            return true;
        }
        slot = null!;
        return false;
    }

    /// <summary>Lays out decoded registers; counts come from count points or L.</summary>
    public static BlockLayout ForRegisters(SunSpecModelDefinition model, ReadOnlySpan<ushort> registers)
    {
        var end = registers.Length >= 2 ? 2 + Math.Min(registers[1], registers.Length - 2) : registers.Length;
        var layout = new BlockLayout();
        var builder = new Builder(layout, end, registers.ToArray(), null);
        builder.LayOut(model.Group);
        return layout;
    }

    /// <summary>Lays out a new block; counts come from <paramref name="repeatCounts"/> (default 1).</summary>
    public static BlockLayout ForCreate(SunSpecModelDefinition model, IReadOnlyDictionary<string, int>? repeatCounts)
    {
        var layout = new BlockLayout();
        var builder = new Builder(layout, int.MaxValue, null, repeatCounts ?? new Dictionary<string, int>());
        builder.LayOut(model.Group);
        return layout;
    }

    private sealed class Builder(BlockLayout layout, int end, ushort[]? registers, IReadOnlyDictionary<string, int>? counts)
    {
        private readonly List<Dictionary<string, int>> _scope = [];
        private int _offset;

        public void LayOut(SunSpecGroupDefinition root)
        {
            LayOutInstance(root, "");
            layout.Size = _offset;
        }

        private void LayOutInstance(SunSpecGroupDefinition group, string prefix)
        {
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            _scope.Add(names);
            var first = layout._slots.Count;
            foreach (var point in group.Points)
            {
                if (layout._slots.Count >= MaxSlots)
                    throw new SunSpecDecodingException("model block holds more points than a model can");
                var path = prefix + point.Name;
                var present = _offset + point.Size <= end;
                names[point.Name] = layout._slots.Count;
                layout._byPath.TryAdd(path, layout._slots.Count);
                layout._slots.Add(new PointSlot(path, point, _offset, present));
                _offset += point.Size;
            }
            // Scale factors: own group first, then parents (as pysunspec2 resolves them).
            for (var i = first; i < first + group.Points.Count; i++)
            {
                var slot = layout._slots[i];
                if (slot.Definition.ScaleFactor is { } sf && slot.Definition.FixedScaleFactor is null)
                    slot.ScaleFactorSlot = Find(sf);
            }
            foreach (var child in group.Groups)
            {
                var repeating = child.Count.IsVariable || child.Count.Fixed != 1;
                var n = InstanceCount(child);
                for (var i = 0; i < n; i++)
                {
                    if (counts is null && _offset >= end) break;
                    var childPrefix = repeating ? $"{prefix}{child.Name}[{i}]." : $"{prefix}{child.Name}.";
                    var aliasStart = layout._slots.Count;
                    LayOutInstance(child, childPrefix);
                    if (!repeating)
                    {
                        // "PFWInj.PF" may also be written "PFWInj[0].PF".
                        var alias = $"{prefix}{child.Name}[0].";
                        for (var s = aliasStart; s < layout._slots.Count; s++)
                            layout._byPath.TryAdd(alias + layout._slots[s].Path[childPrefix.Length..], s);
                    }
                }
            }
            _scope.RemoveAt(_scope.Count - 1);
        }

        private int InstanceCount(SunSpecGroupDefinition child)
        {
            if (child.Count.CountPoint is { } countName)
            {
                var slotIndex = Find(countName);
                if (counts is not null)
                {
                    var n = counts.TryGetValue(countName, out var c) ? c : counts.TryGetValue(child.Name, out c) ? c : 1;
                    if (n is < 0 or > ushort.MaxValue - 1) throw new ArgumentOutOfRangeException(nameof(counts), $"repeat count {n} for {countName} is out of range");
                    if (slotIndex >= 0) layout._countWrites.Add((slotIndex, n));
                    return n;
                }
                if (slotIndex < 0) return 0;
                var slot = layout._slots[slotIndex];
                if (!slot.Present) return 0;
                var value = registers![slot.Offset];
                return value == 0xFFFF ? 0 : value;
            }
            if (child.Count.FillsLength)
            {
                if (counts is not null)
                {
                    var n = counts.TryGetValue(child.Name, out var c) ? c : 1;
                    if (n is < 0 or > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(counts), $"repeat count {n} for {child.Name} is out of range");
                    return n;
                }
                var size = child.InstanceSize;
                if (size is null or 0) return 0;
                return Math.Max(0, end - _offset) / size.Value;
            }
            return child.Count.Fixed!.Value;
        }

        private int Find(string name)
        {
            for (var i = _scope.Count - 1; i >= 0; i--)
                if (_scope[i].TryGetValue(name, out var index)) return index;
            return -1;
        }
    }
}
