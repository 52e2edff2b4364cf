using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>Options of <see cref="SunSpecDiscovery"/>.</summary>
public sealed class SunSpecDiscoveryOptions
{
    /// <summary>The base addresses SunSpec names for the <c>SunS</c> marker, tried in this order after any configured ones.</summary>
    public static IReadOnlyList<ushort> StandardBaseAddresses { get; } = [40000, 50000, 0];

    /// <summary>Base addresses tried before the standard ones (e.g. a vendor that starts at 40001 or 1).</summary>
    public IList<ushort> ExtraBaseAddresses { get; set; } = [];

    /// <summary>Stop walking the model chain after this many models (guards against a looping or endless chain).</summary>
    public int MaxModels { get; set; } = 100;

    /// <summary>The definitions to attach to found models; null means <see cref="SunSpecModelCatalog.LoadBuiltIn"/>.</summary>
    public SunSpecModelCatalog? Catalog { get; set; }

    /// <summary>Optional logger.</summary>
    public ILogger? Logger { get; set; }
}
