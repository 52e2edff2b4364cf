using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Devices;

/// <summary>
/// A device's SunSpec holding-register image ("SunS", the models, the end marker) with the bookkeeping a
/// server needs: which model starts where, and which registers a master may write (the RW points).
/// Not thread-safe: the owning device holds its lock around every call.
/// </summary>
internal sealed class SunSpecRegisterMap
{
    public const ushort DefaultBaseAddress = 40000;

    private readonly Dictionary<ushort, SunSpecModelBlock> _blocks = [];
    private readonly bool[] _writable;

    public SunSpecRegisterMap(SunSpecModelCatalog catalog, IEnumerable<(ushort ModelId, IReadOnlyDictionary<string, int>? RepeatCounts)> models, ushort baseAddress = DefaultBaseAddress)
    {
        var builder = new SunSpecDeviceImageBuilder(baseAddress);
        foreach (var (id, counts) in models)
        {
            if (!catalog.TryGet(id, out var definition))
                throw new InvalidOperationException($"SunSpec model {id} is missing from the model catalog.");
            _blocks.Add(id, builder.Add(definition, counts));
        }
        Image = builder.Build();
        _writable = new bool[Image.Registers.Length];
        foreach (var block in Image.Blocks)
        {
            var start = Image.AddressOf(block) - baseAddress;
            foreach (var path in block.PointPaths)
            {
                var definition = block.GetDefinition(path);
                if (!definition.IsWritable) continue;
                var offset = block.GetOffset(path);
                for (var i = 0; i < definition.Size; i++) _writable[start + offset + i] = true;
            }
        }
    }

    public SunSpecDeviceImage Image { get; }

    public ushort BaseAddress => Image.BaseAddress;

    public SunSpecModelBlock this[ushort modelId] => _blocks[modelId];

    public bool Has(ushort modelId) => _blocks.ContainsKey(modelId);

    /// <summary>Modbus address of a model's ID register.</summary>
    public ushort AddressOf(ushort modelId) => Image.AddressOf(_blocks[modelId]);

    /// <summary>The model starts in image order, for the README and the READY line consumers.</summary>
    public IEnumerable<(ushort ModelId, ushort Address, int Length)> Layout
        => Image.Blocks.Select(b => (b.ModelId, Image.AddressOf(b), b.Registers.Length));

    public ModbusExceptionCode? Read(ushort address, Span<ushort> destination)
    {
        if (!InRange(address, destination.Length, out var index)) return ModbusExceptionCode.IllegalDataAddress;
        Image.Registers.AsSpan(index, destination.Length).CopyTo(destination);
        return null;
    }

    /// <summary>Writes are refused as a whole when any register in the range belongs to a read-only point.</summary>
    public ModbusExceptionCode? CheckWritable(ushort address, int count)
    {
        if (!InRange(address, count, out var index)) return ModbusExceptionCode.IllegalDataAddress;
        for (var i = index; i < index + count; i++)
            if (!_writable[i]) return ModbusExceptionCode.IllegalDataAddress;
        return null;
    }

    public Span<ushort> Slice(ushort address, int count) => Image.Registers.AsSpan(address - BaseAddress, count);

    /// <summary>True when the written range [address, address+count) overlaps a point of the model.</summary>
    public bool Touches(ushort address, int count, ushort modelId, params string[] paths)
    {
        if (!_blocks.TryGetValue(modelId, out var block)) return false;
        var start = AddressOf(modelId);
        foreach (var path in paths)
        {
            var pointStart = start + block.GetOffset(path);
            var pointEnd = pointStart + block.GetDefinition(path).Size;
            if (address < pointEnd && pointStart < address + count) return true;
        }
        return false;
    }

    private bool InRange(ushort address, int count, out int index)
    {
        index = address - BaseAddress;
        return count > 0 && index >= 0 && index + count <= Image.Registers.Length;
    }
}
