namespace Nexwatt.HardwareSim.Enphase;

/// <summary>The endpoints of a simulated gateway of one generation, answered from its site model.</summary>
internal sealed class SimulatedGatewayContent(GatewayGeneration generation, GatewayModel model, GatewayFaultPlan faults, Action<string> log) : IGatewayContent
{
    public GatewayGeneration Generation => generation;

    public string Serial => model.Serial;

    public GatewayResponse? Answer(string method, string path, string query, string body)
    {
        if (method == "PUT") return path == "/admin/lib/tariff" ? PutTariff(body) : null;
        if (method != "GET") return null;
        if (path == "/info") return new GatewayResponse(200, GatewayResponse.Xml, GatewayResponses.Info(generation, model.Serial, model.Read().Time));
        if (path == "/admin/lib/tariff") return GatewayResponse.Ok(model.WithTariff(t => t.ToJson()));
        if (path == "/ivp/ensemble/secctrl")
        {
            var settings = model.WithTariff(t => t.Settings);
            return GatewayResponse.Ok(GatewayResponses.EnsembleSecctrl(model.Read(), settings));
        }
        var s = model.Read();
        var json = path switch
        {
            "/production.json" => GatewayResponses.ProductionJson(s, details: query.Contains("details=1", StringComparison.Ordinal)),
            "/production" => GatewayResponses.ProductionJson(s, details: false),
            "/api/v1/production" => GatewayResponses.ApiV1Production(s),
            "/api/v1/production/inverters" => GatewayResponses.ApiV1Inverters(s),
            "/ivp/meters" => GatewayResponses.Meters(s),
            "/ivp/meters/readings" => GatewayResponses.MeterReadings(s),
            "/ivp/ensemble/inventory" => GatewayResponses.EnsembleInventory(generation, s),
            "/ivp/ensemble/power" => GatewayResponses.EnsemblePower(s),
            "/ivp/pdm/device_data" when generation.HasDeviceData => GatewayResponses.DeviceData(s),
            "/home" when generation.Major >= 8 => GatewayResponses.Home(generation, s),
            _ => null,
        };
        return json is null ? null : GatewayResponse.Ok(json);
    }

    private GatewayResponse PutTariff(string body)
    {
        var (error, settings) = model.WithTariff(t => (t.TryPut(body, faults.IgnoreTariffWrites), t.Settings));
        if (error is not null)
        {
            log($"TARIFF rejected: {error}");
            return new GatewayResponse(400, GatewayResponse.Json, $"{{\"message\":\"{System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(error)}\"}}");
        }
        log(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"TARIFF {(faults.IgnoreTariffWrites ? "ignored" : "applied")} mode={StorageSettings.ModeText(settings.Mode)} reserve={settings.ReservedSocPercent} charge_from_grid={settings.ChargeFromGrid.ToString().ToLowerInvariant()}"));
        return GatewayResponse.Ok("{\"message\":\"success\"}");
    }
}
