using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.Protocols.Enphase.Readings;

/// <summary>
/// Everything decoded in one poll of one gateway; any part may be missing (the endpoint is not on this firmware, was
/// not due this poll, or the gateway refused it). <see cref="SnapshotBuilder"/> turns it into measurements.
/// </summary>
public sealed record GatewaySnapshot(GatewayInfo Info, DateTimeOffset ReceivedAt)
{
    public IReadOnlyList<MeterConfig>? Meters { get; init; }
    public IReadOnlyList<MeterReading>? MeterReadings { get; init; }
    public ProductionJson? Production { get; init; }
    public ApiV1Production? ApiV1Production { get; init; }
    /// <summary>The 3.x HTML /production page, decoded.</summary>
    public ApiV1Production? ProductionPage { get; init; }
    public IReadOnlyList<EnchargeBattery>? Inventory { get; init; }
    public IReadOnlyList<EnsemblePower>? EnsemblePower { get; init; }
    public SecurityControl? SecurityControl { get; init; }
    public IReadOnlyList<InverterReport>? Inverters { get; init; }
}
