using Nexwatt.Protocols.Enphase.Decoding;
using Nexwatt.Protocols.Enphase.Probing;

namespace Nexwatt.Protocols.Enphase.Readings;

/// <summary>One HTTP answer of a gateway: its status code and body.</summary>
public sealed record GatewayResponse(int StatusCode, byte[] Body)
{
    /// <summary>
    /// What the answer means for probing: 3.x serves "Page Not Found" with status 200 and token firmware serves an HTML
    /// 401 page, so the body decides as much as the code.
    /// </summary>
    public ProbeOutcome Outcome => StatusCode switch
    {
        401 or 403 => ProbeOutcome.Unauthorized,
        404 => ProbeOutcome.NotFound,
        200 when ResponsePage.LooksLikeHtml(Body) && ResponsePage.IsUnauthorized(Body) => ProbeOutcome.Unauthorized,
        // The JSON 404 body {"error":"404 - Not Found"} is short; a data body never says so.
        200 when (ResponsePage.LooksLikeHtml(Body) || Body.Length < 100) && ResponsePage.IsNotFound(Body) => ProbeOutcome.NotFound,
        200 or 204 => ProbeOutcome.Ok,
        _ => ProbeOutcome.Failed,
    };
}

/// <summary>
/// Decodes the answers of one poll (keyed by request path) into a <see cref="GatewaySnapshot"/>. Answers that are not
/// data (404, 401, "Page Not Found") leave their part empty; a 200 body of the wrong shape throws
/// <see cref="EnphaseFormatException"/> naming the endpoint.
/// </summary>
public static class SnapshotDecoder
{
    public const string ProductionJsonDetails = ProductionJson.Endpoint + "?details=1";

    public static GatewaySnapshot Decode(GatewayInfo info, DateTimeOffset receivedAt, IReadOnlyDictionary<string, GatewayResponse> responses)
    {
        T? Get<T>(string path, Func<byte[], T> decode) where T : class =>
            responses.TryGetValue(path, out var r) && r.Outcome == ProbeOutcome.Ok ? decode(r.Body) : null;

        var production = Get(ProductionJsonDetails, b => ProductionJson.Decode(b)) ?? Get(ProductionJson.Endpoint, b => ProductionJson.Decode(b));
        return new GatewaySnapshot(info, receivedAt)
        {
            Meters = Get(MeterConfig.Endpoint, b => MeterConfig.Decode(b)),
            MeterReadings = Get(MeterReading.Endpoint, b => MeterReading.Decode(b)),
            Production = production,
            ApiV1Production = Get(ApiV1Production.Endpoint, b => ApiV1Production.Decode(b)),
            // Only 3.x serves HTML there; later firmware answers JSON like /production.json.
            ProductionPage = responses.TryGetValue(ProductionPage.Endpoint, out var page) && page.Outcome == ProbeOutcome.Ok && ResponsePage.LooksLikeHtml(page.Body)
                ? ProductionPage.Decode(page.Body) : null,
            Inventory = Get(EnchargeBattery.Endpoint, b => EnchargeBattery.Decode(b)),
            EnsemblePower = Get(EnsemblePower.Endpoint, b => EnsemblePower.Decode(b)),
            SecurityControl = Get(SecurityControl.Endpoint, b => SecurityControl.Decode(b)),
            Inverters = Get(InverterReport.Endpoint, b => InverterReport.Decode(b)) ?? Get(InverterReport.DeviceDataEndpoint, b => InverterReport.DecodeDeviceData(b)),
        };
    }
}
