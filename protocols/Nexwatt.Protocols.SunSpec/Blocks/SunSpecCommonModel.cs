namespace Nexwatt.Protocols.SunSpec;

/// <summary>The common model (model 1) every SunSpec device starts with.</summary>
/// <param name="Manufacturer">Mn.</param>
/// <param name="Model">Md.</param>
/// <param name="Options">Opt (optional).</param>
/// <param name="Version">Vr (optional).</param>
/// <param name="SerialNumber">SN.</param>
/// <param name="DeviceAddress">DA (optional).</param>
public sealed record SunSpecCommonModel(string? Manufacturer, string? Model, string? Options, string? Version, string? SerialNumber, ushort? DeviceAddress)
{
    /// <summary>The common model id.</summary>
    public const ushort ModelId = 1;

    /// <summary>Reads the common model from a model 1 block.</summary>
    /// <exception cref="ArgumentException">The block is not model 1.</exception>
    public static SunSpecCommonModel FromBlock(SunSpecModelBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Model.Id != ModelId) throw new ArgumentException($"block holds model {block.Model.Id}, not the common model 1", nameof(block));
        return new SunSpecCommonModel(Text("Mn"), Text("Md"), Text("Opt"), Text("Vr"), Text("SN"),
            block.HasPoint("DA") && block.Read("DA") is { IsImplemented: true, Raw: var da } ? (ushort)da : null);

        string? Text(string path) => block.HasPoint(path) ? block.Read(path).Text : null;
    }
}
