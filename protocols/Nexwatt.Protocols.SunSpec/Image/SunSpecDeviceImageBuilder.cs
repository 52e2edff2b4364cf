namespace Nexwatt.Protocols.SunSpec;

/// <summary>
/// A whole SunSpec register image for a simulated device: <c>SunS</c> at <see cref="BaseAddress"/>, the models back to
/// back, then the end model (0xFFFF, 0). The <see cref="Blocks"/> are views of <see cref="Registers"/>.
/// </summary>
/// <param name="BaseAddress">Modbus address of the <c>SunS</c> marker (register 0 of <see cref="Registers"/>).</param>
/// <param name="Registers">The image: index i is Modbus address BaseAddress + i.</param>
/// <param name="Blocks">One view per model, in order.</param>
public sealed record SunSpecDeviceImage(ushort BaseAddress, ushort[] Registers, IReadOnlyList<SunSpecModelBlock> Blocks)
{
    /// <summary>The Modbus address of a block's ID register.</summary>
    public ushort AddressOf(SunSpecModelBlock block)
    {
        var offset = 2;
        foreach (var b in Blocks)
        {
            if (ReferenceEquals(b, block)) return (ushort)(BaseAddress + offset);
            offset += b.Registers.Length;
        }
        throw new ArgumentException("The block is not part of this image.", nameof(block));
    }
}

/// <summary>Builds a <see cref="SunSpecDeviceImage"/>; blocks returned by <see cref="Add"/> become views of the built image.</summary>
public sealed class SunSpecDeviceImageBuilder
{
    /// <summary>The SunSpec marker "SunS" (SunSpec Information Model Specification, device discovery).</summary>
    public static readonly ushort[] Marker = [0x5375, 0x6E53];

    private readonly List<SunSpecModelBlock> _blocks = [];
    private bool _built;

    /// <summary>Creates a builder for an image whose <c>SunS</c> marker sits at <paramref name="baseAddress"/>.</summary>
    public SunSpecDeviceImageBuilder(ushort baseAddress = 40000) => BaseAddress = baseAddress;

    /// <summary>Address of the <c>SunS</c> marker.</summary>
    public ushort BaseAddress { get; }

    /// <summary>
    /// Appends a model (every point "not implemented", counts set; see <see cref="SunSpecModelBlock.Create"/>) and returns
    /// its block. Fill the block before or after <see cref="Build"/>; after it the block writes into the image.
    /// </summary>
    public SunSpecModelBlock Add(SunSpecModelDefinition model, IReadOnlyDictionary<string, int>? repeatCounts = null)
    {
        if (_built) throw new InvalidOperationException("The image is already built.");
        var block = SunSpecModelBlock.Create(model, repeatCounts);
        var total = 2 + _blocks.Sum(b => b.Registers.Length) + block.Registers.Length + 2;
        if (BaseAddress + total > ushort.MaxValue + 1)
            throw new InvalidOperationException($"model {model.Id} does not fit below address 65535 with base {BaseAddress}");
        _blocks.Add(block);
        return block;
    }

    /// <summary>Lays every model into one register array and rebinds the blocks to it. Can be called once.</summary>
    public SunSpecDeviceImage Build()
    {
        if (_built) throw new InvalidOperationException("The image is already built.");
        _built = true;
        var registers = new ushort[2 + _blocks.Sum(b => b.Registers.Length) + 2];
        Marker.CopyTo(registers, 0);
        var offset = 2;
        foreach (var block in _blocks)
        {
            var length = block.Registers.Length;
            var slice = registers.AsMemory(offset, length);
            block.Registers.CopyTo(slice);
            block.Rebind(slice);
            offset += length;
        }
        registers[offset] = 0xFFFF;
        registers[offset + 1] = 0;
        return new SunSpecDeviceImage(BaseAddress, registers, _blocks.ToArray());
    }
}
