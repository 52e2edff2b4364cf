using Nexwatt.Protocols.SunSpec.Internal;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>
/// One model instance laid out in registers, starting at its ID register (ID, L, then the body). Points are addressed by
/// path: <c>W</c>, <c>module[0].DCV</c>, <c>Crv[1].Pt[0].V</c> (0-based indexes; groups that never repeat have no index).
/// The layout (repeat counts) is fixed when the block is created; the values are read live from <see cref="Registers"/>.
/// </summary>
public sealed class SunSpecModelBlock
{
    private readonly BlockLayout _layout;
    private Memory<ushort> _registers;

    private SunSpecModelBlock(SunSpecModelDefinition model, Memory<ushort> registers, BlockLayout layout, SunSpecWordOrder wordOrder)
    {
        Model = model;
        _registers = registers;
        _layout = layout;
        WordOrder = wordOrder;
    }

    /// <summary>The block's registers, from the ID register on. Writes through this memory change the values the block reads.</summary>
    public Memory<ushort> Registers => _registers;

    /// <summary>The model definition.</summary>
    public SunSpecModelDefinition Model { get; }

    /// <summary>The model id (value of the ID register).</summary>
    public ushort ModelId => _registers.Length > 0 ? _registers.Span[0] : Model.Id;

    /// <summary>The model length L (registers after ID and L) as held in the L register.</summary>
    public ushort Length => _registers.Length > 1 ? _registers.Span[1] : (ushort)0;

    /// <summary>Register order of 32/64-bit and float points.</summary>
    public SunSpecWordOrder WordOrder { get; }

    /// <summary>Every point path, in register order.</summary>
    public IReadOnlyList<string> PointPaths => _layout.Slots.Select(s => s.Path).ToArray();

    /// <summary>
    /// Allocates a new block for servers and simulators: ID and L set, every point "not implemented", count points set to
    /// <paramref name="repeatCounts"/>. Keys are count point names (<c>NCrv</c>, <c>NPt</c>) or, for count-0 groups and as an
    /// alternative, group names (<c>module</c>); a repeating group not listed gets one instance.
    /// </summary>
    public static SunSpecModelBlock Create(SunSpecModelDefinition model, IReadOnlyDictionary<string, int>? repeatCounts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layout = BlockLayout.ForCreate(model, repeatCounts);
        if (layout.Size - 2 > ushort.MaxValue - 1)
            throw new ArgumentOutOfRangeException(nameof(repeatCounts), $"model {model.Id} with these repeat counts needs L = {layout.Size - 2}, more than a model can hold");
        var registers = new ushort[layout.Size];
        Initialize(model, registers, layout);
        return new SunSpecModelBlock(model, registers, layout, SunSpecWordOrder.HighWordFirst);
    }

    /// <summary>
    /// Decodes registers read from a device (a copy is kept). Repeat counts come from count points or, for count-0 groups,
    /// from L. An L shorter than the definition (model 1 with L = 65) is tolerated: the missing points read as not implemented.
    /// </summary>
    /// <exception cref="SunSpecDecodingException">Fewer than 2 registers, or the ID register does not hold the model id.</exception>
    public static SunSpecModelBlock FromRegisters(SunSpecModelDefinition model, ReadOnlyMemory<ushort> registers, SunSpecWordOrder wordOrder = SunSpecWordOrder.HighWordFirst)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckHeader(model, registers.Span);
        // Keep ID, L and the body; registers past 2 + L belong to the next model.
        var copy = registers[..Math.Min(registers.Length, 2 + registers.Span[1])].ToArray();
        return new SunSpecModelBlock(model, copy, BlockLayout.ForRegisters(model, copy), wordOrder);
    }

    /// <summary>
    /// A block over existing memory (e.g. a slice of a simulator's register map), so that Modbus writes into the map and
    /// writes through the block are the same. If the slice already holds the model (ID register = model id) its content is
    /// laid out as is; if the ID register is 0 (blank) the slice is initialized as <see cref="Create"/> does.
    /// </summary>
    /// <exception cref="SunSpecDecodingException">The slice holds another model.</exception>
    /// <exception cref="ArgumentException">A blank slice is too short for the model.</exception>
    public static SunSpecModelBlock Over(SunSpecModelDefinition model, Memory<ushort> registers, IReadOnlyDictionary<string, int>? repeatCounts = null, SunSpecWordOrder wordOrder = SunSpecWordOrder.HighWordFirst)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (registers.Length >= 1 && registers.Span[0] == 0)
        {
            var layout = BlockLayout.ForCreate(model, repeatCounts);
            if (registers.Length < layout.Size)
                throw new ArgumentException($"model {model.Id} needs {layout.Size} registers; the slice has {registers.Length}", nameof(registers));
            var slice = registers[..layout.Size];
            Initialize(model, slice.Span, layout);
            return new SunSpecModelBlock(model, slice, layout, wordOrder);
        }
        CheckHeader(model, registers.Span);
        var existing = registers[..Math.Min(registers.Length, 2 + registers.Span[1])];
        return new SunSpecModelBlock(model, existing, BlockLayout.ForRegisters(model, existing.Span), wordOrder);
    }

    /// <summary>True when the block has a point at <paramref name="path"/>.</summary>
    public bool HasPoint(string path) => _layout.TryFind(path, out _);

    /// <summary>The definition of the point at <paramref name="path"/>.</summary>
    public SunSpecPointDefinition GetDefinition(string path) => Slot(path).Definition;

    /// <summary>Decodes one point.</summary>
    /// <exception cref="SunSpecDecodingException">No such point.</exception>
    public SunSpecValue Read(string path) => Decode(Slot(path));

    /// <summary>Decodes every point (groups included) in register order.</summary>
    public IReadOnlyList<SunSpecPointValue> ReadAll()
    {
        var result = new SunSpecPointValue[_layout.Slots.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var slot = _layout.Slots[i];
            result[i] = new SunSpecPointValue(slot.Path, slot.Definition, slot.Offset, Decode(slot));
        }
        return result;
    }

    /// <summary>The current scale factor of a point: null when unscaled.</summary>
    /// <exception cref="SunSpecEncodingException">The point's scale factor is not implemented.</exception>
    public short? GetScaleFactor(string path)
    {
        var slot = Slot(path);
        var (sf, missing) = ResolveScaleFactor(slot);
        if (missing) throw new SunSpecEncodingException($"scale factor {slot.Definition.ScaleFactor} of point {path} is not implemented");
        return sf;
    }

    /// <summary>Writes a raw integer (any value the type can hold, sentinel included); no access check.</summary>
    public void WriteRaw(string path, long rawValue)
    {
        var slot = WritableSlot(path);
        PointCodec.EncodeRaw(slot.Definition, path, rawValue, Span(slot), WordOrder, allowSentinel: true);
    }

    /// <summary>Writes a string (UTF-8, NUL padded); no access check.</summary>
    public void WriteString(string path, string value)
    {
        var slot = WritableSlot(path);
        PointCodec.EncodeString(slot.Definition, path, value, Span(slot));
    }

    /// <summary>
    /// Writes an engineering value using the point's current scale factor from this block (raw = round(value / 10^sf),
    /// half away from zero); floats are written as is.
    /// </summary>
    /// <exception cref="SunSpecEncodingException">Out of the type's range, or the scale factor point is not implemented.</exception>
    public void WriteScaled(string path, double value)
    {
        var slot = WritableSlot(path);
        var (sf, missing) = ResolveScaleFactor(slot);
        if (missing) throw new SunSpecEncodingException($"scale factor {slot.Definition.ScaleFactor} of point {path} is not implemented; write it first");
        PointCodec.EncodeScaled(slot.Definition, path, value, sf ?? 0, Span(slot), WordOrder);
    }

    /// <summary>Writes a float32/float64 point.</summary>
    public void WriteFloat(string path, double value)
    {
        var slot = WritableSlot(path);
        PointCodec.EncodeFloat(slot.Definition, path, value, Span(slot), WordOrder);
    }

    /// <summary>Writes the type's "not implemented" sentinel.</summary>
    public void WriteNotImplemented(string path)
    {
        var slot = WritableSlot(path);
        PointCodec.WriteSentinel(slot.Definition, Span(slot), WordOrder);
    }

    /// <summary>Register offset of a point from the ID register.</summary>
    public int GetOffset(string path) => Slot(path).Offset;

    /// <inheritdoc />
    public override string ToString() => $"model {Model.Id} ({Model.Name}), L={Length}";

    internal void Rebind(Memory<ushort> registers) => _registers = registers;

    private static void Initialize(SunSpecModelDefinition model, Span<ushort> registers, BlockLayout layout)
    {
        foreach (var slot in layout.Slots)
            PointCodec.WriteSentinel(slot.Definition, registers.Slice(slot.Offset, slot.Definition.Size));
        foreach (var (slot, count) in layout.CountWrites)
            registers[layout.Slots[slot].Offset] = (ushort)count;
        registers[0] = model.Id;
        registers[1] = (ushort)(layout.Size - 2);
    }

    private static void CheckHeader(SunSpecModelDefinition model, ReadOnlySpan<ushort> registers)
    {
        if (registers.Length < 2)
            throw new SunSpecDecodingException($"model {model.Id}: {registers.Length} registers cannot hold ID and L");
        if (registers[0] != model.Id)
            throw new SunSpecDecodingException($"model {model.Id}: the ID register holds {registers[0]}");
    }

    private PointSlot Slot(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _layout.TryFind(path, out var slot)
            ? slot
            : throw new SunSpecDecodingException($"model {Model.Id} ({Model.Name}) has no point '{path}' in this block");
    }

    private PointSlot WritableSlot(string path)
    {
        var slot = Slot(path);
        if (!slot.Present || slot.Offset + slot.Definition.Size > _registers.Length)
            throw new SunSpecEncodingException($"point {path} lies beyond the model length L={Length}");
        return slot;
    }

    private Span<ushort> Span(PointSlot slot) => _registers.Span.Slice(slot.Offset, slot.Definition.Size);

    private SunSpecValue Decode(PointSlot slot)
    {
        if (!slot.Present || slot.Offset + slot.Definition.Size > _registers.Length) return SunSpecValue.NotImplemented;
        var (sf, missing) = ResolveScaleFactor(slot);
        return PointCodec.Decode(slot.Definition, _registers.Span.Slice(slot.Offset, slot.Definition.Size), WordOrder, sf, missing);
    }

    private (short? ScaleFactor, bool Missing) ResolveScaleFactor(PointSlot slot)
    {
        var def = slot.Definition;
        if (def.ScaleFactor is null) return (null, false);
        if (def.FixedScaleFactor is { } fixedSf) return ((short)fixedSf, false);
        if (slot.ScaleFactorSlot < 0) return (null, true);
        var sfSlot = _layout.Slots[slot.ScaleFactorSlot];
        if (!sfSlot.Present || sfSlot.Offset >= _registers.Length) return (null, true);
        var raw = _registers.Span[sfSlot.Offset];
        return raw == 0x8000 ? (null, true) : ((short)raw, false);
    }

}
