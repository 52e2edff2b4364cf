using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.Protocols.Enphase.Probing;

/// <summary>How one probe of an endpoint went.</summary>
public enum ProbeOutcome
{
    /// <summary>200 with a body of the documented shape.</summary>
    Ok,
    /// <summary>404, or a "Page Not Found" page served with 200 (3.x).</summary>
    NotFound,
    /// <summary>401 even with the credentials we hold (e.g. an installer-only path with an owner token).</summary>
    Unauthorized,
    /// <summary>A body of the wrong shape, a timeout or another status.</summary>
    Failed,
}

/// <summary>
/// Which endpoints a gateway's polls read, decided once from probing each candidate and kept until /info shows other
/// firmware (as pyenphase does). Pure: the caller performs the probes and passes their outcomes.
/// </summary>
public sealed record EndpointPlan(
    FirmwareVersion Firmware, bool Meters, bool ProductionJson, bool ProductionJsonDetails, bool ApiV1Production, bool ProductionPage,
    bool Inventory, bool EnsemblePower, bool SecurityControl, bool Inverters, bool DeviceData, bool Tariff)
{
    /// <summary>The paths probed, in order; <see cref="Decide"/> takes their outcomes.</summary>
    public static IReadOnlyList<string> Candidates(GatewayInfo info) =>
    [
        MeterConfig.Endpoint, Decoding.ProductionJson.Endpoint, Decoding.ApiV1Production.Endpoint, InverterReport.Endpoint,
        .. info.Firmware >= FirmwareVersion.Ensemble ? new[] { EnchargeBattery.Endpoint, Decoding.EnsemblePower.Endpoint, Decoding.SecurityControl.Endpoint } : [],
        InverterReport.DeviceDataEndpoint, TariffDocument.Endpoint,
    ];

    /// <param name="meters">/ivp/meters decoded when its probe was Ok.</param>
    /// <param name="production">/production.json decoded when its probe was Ok.</param>
    public static EndpointPlan Decide(GatewayInfo info, IReadOnlyDictionary<string, ProbeOutcome> outcomes, IReadOnlyList<MeterConfig>? meters, ProductionJson? production)
    {
        bool Ok(string path) => outcomes.TryGetValue(path, out var o) && o == ProbeOutcome.Ok;
        var useMeters = Ok(MeterConfig.Endpoint) && meters is not null && meters.Any(m => m.Enabled);
        var metered = production is not null && production.Eims.Any(e => e.ActiveCount > 0);
        var acb = production is not null && production.AcBatteries.Any(b => b.ActiveCount > 0);
        var api = Ok(Decoding.ApiV1Production.Endpoint) && !Readings.SnapshotBuilder.ApiV1ProductionMayStall(info, meters);
        var productionJson = production is not null && (metered || acb || !api || !useMeters);
        var inverters = Ok(InverterReport.Endpoint);
        return new EndpointPlan(info.Firmware, useMeters, productionJson, ProductionJsonDetails: metered && !useMeters, api,
            ProductionPage: production is null && !api && !useMeters,
            Inventory: info.Firmware >= FirmwareVersion.Ensemble && Ok(EnchargeBattery.Endpoint),
            EnsemblePower: info.Firmware >= FirmwareVersion.Ensemble && Ok(Decoding.EnsemblePower.Endpoint),
            SecurityControl: info.Firmware >= FirmwareVersion.Ensemble && Ok(Decoding.SecurityControl.Endpoint),
            inverters, DeviceData: !inverters && Ok(InverterReport.DeviceDataEndpoint), Tariff: Ok(TariffDocument.Endpoint));
    }

    /// <summary>The endpoints of the plan, for status and the read command.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        .. Meters ? new[] { MeterConfig.Endpoint, MeterReading.Endpoint } : [],
        .. ProductionJson ? new[] { ProductionJsonDetails ? Decoding.ProductionJson.Endpoint + "?details=1" : Decoding.ProductionJson.Endpoint } : [],
        .. ApiV1Production ? new[] { Decoding.ApiV1Production.Endpoint } : [],
        .. ProductionPage ? new[] { Decoding.ProductionPage.Endpoint } : [],
        .. Inventory ? new[] { EnchargeBattery.Endpoint } : [],
        .. EnsemblePower ? new[] { Decoding.EnsemblePower.Endpoint } : [],
        .. SecurityControl ? new[] { Decoding.SecurityControl.Endpoint } : [],
        .. Inverters ? new[] { InverterReport.Endpoint } : [],
        .. DeviceData ? new[] { InverterReport.DeviceDataEndpoint } : [],
        .. Tariff ? new[] { TariffDocument.Endpoint } : [],
    ];
}
