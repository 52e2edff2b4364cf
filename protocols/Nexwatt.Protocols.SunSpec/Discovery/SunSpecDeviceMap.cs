namespace Nexwatt.Protocols.SunSpec;

/// <summary>Where one model instance sits in a device's register space.</summary>
/// <param name="ModelId">Model id read from the ID register.</param>
/// <param name="Address">Modbus address of the ID register.</param>
/// <param name="Length">L: registers after ID and L.</param>
/// <param name="Definition">The model's definition, or null when the catalog does not know the model (it is skipped by L).</param>
public sealed record SunSpecModelLocation(ushort ModelId, ushort Address, ushort Length, SunSpecModelDefinition? Definition)
{
    /// <summary>True when the catalog knows the model.</summary>
    public bool IsKnown => Definition is not null;
}

/// <summary>The models of one SunSpec device, as found by <see cref="SunSpecDiscovery"/>.</summary>
/// <param name="UnitId">The Modbus unit id.</param>
/// <param name="BaseAddress">Address of the <c>SunS</c> marker.</param>
/// <param name="Models">Every model in chain order, unknown ones included.</param>
/// <param name="RequestCount">Modbus requests made during discovery.</param>
public sealed record SunSpecDeviceMap(byte UnitId, ushort BaseAddress, IReadOnlyList<SunSpecModelLocation> Models, int RequestCount)
{
    /// <summary>The first instance of a model, or null.</summary>
    public SunSpecModelLocation? Find(ushort modelId) => Models.FirstOrDefault(m => m.ModelId == modelId);

    /// <summary>Every instance of a model (some devices carry several, e.g. three model 160 blocks).</summary>
    public IReadOnlyList<SunSpecModelLocation> FindAll(ushort modelId) => Models.Where(m => m.ModelId == modelId).ToArray();
}
