using System.Globalization;
using System.Text.Json.Nodes;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// The bodies of the simulated gateway's endpoints, written from the field lists of shared/reference/enphase/README.md
/// (not from the captured files): key names, units (W, Wh, V, A, Hz; mW and mVA in /ivp/ensemble/power) and the shapes
/// that differ by generation. Pure functions of a snapshot.
/// </summary>
internal static class GatewayResponses
{
    public const long ProductionMeterEid = 704643328;
    public const long NetConsumptionMeterEid = 704643584;

    public static string Info(GatewayGeneration generation, string serial, DateTimeOffset now)
    {
        var c = CultureInfo.InvariantCulture;
        var tokens = generation.UsesTokens ? "\n  <web-tokens>true</web-tokens>" : "";
        var appVersion = string.Join('.', generation.Version.Split('.').Select(p => p.PadLeft(2, '0')));
        return string.Create(c, $"""
            <?xml version='1.0' encoding='UTF-8'?>
            <envoy_info>
              <time>{now.ToUnixTimeSeconds()}</time>
              <device>
                <sn>{serial}</sn>
                <pn>{generation.PartNumber}</pn>
                <software>{generation.Software}</software>
                <euaid>4c8675</euaid>
                <seqnum>0</seqnum>
                <apiver>1</apiver>
                <imeter>true</imeter>
              </device>{tokens}
              <package name='app'>
                <pn>500-00002-r01</pn>
                <version>{appVersion}</version>
                <build>5e1d00</build>
              </package>
            </envoy_info>

            """);
    }

    /// <summary><c>/production.json</c>; <paramref name="details"/> adds the per-phase <c>lines</c>.</summary>
    public static string ProductionJson(GatewaySnapshot s, bool details)
    {
        var production = Eim(s, "production", s.ProductionWatts, s.ProductionWattHours, s.ProductionTodayWattHours, details);
        var total = Eim(s, "total-consumption", s.ConsumptionWatts, s.ConsumptionWattHours, 0, details);
        var net = Eim(s, "net-consumption", s.NetConsumptionWatts, s.ImportedWattHours - s.ExportedWattHours, 0, details);
        var root = new JsonObject
        {
            ["production"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "inverters",
                    ["activeCount"] = s.Microinverters.Count,
                    ["readingTime"] = s.Epoch,
                    ["wNow"] = Math.Round(s.ProductionWatts),
                    ["whLifetime"] = Math.Round(s.ProductionWattHours),
                },
                production),
            ["consumption"] = new JsonArray(total, net),
            // No AC Batteries on the simulated site: the entry is there with activeCount 0, as on real IQ Battery sites.
            ["storage"] = new JsonArray(new JsonObject { ["type"] = "acb", ["activeCount"] = 0, ["readingTime"] = 0, ["wNow"] = 0, ["whNow"] = 0, ["state"] = "idle" }),
        };
        return root.ToJsonString();
    }

    public static string ApiV1Production(GatewaySnapshot s) => new JsonObject
    {
        ["wattHoursToday"] = Math.Round(s.ProductionTodayWattHours),
        ["wattHoursSevenDays"] = Math.Round(s.ProductionTodayWattHours),
        ["wattHoursLifetime"] = Math.Round(s.ProductionWattHours),
        ["wattsNow"] = Math.Round(s.ProductionWatts),
    }.ToJsonString();

    public static string ApiV1Inverters(GatewaySnapshot s)
        => new JsonArray([.. s.Microinverters.Select(m => (JsonNode)new JsonObject
        {
            ["serialNumber"] = m.Serial,
            ["lastReportDate"] = s.Epoch,
            ["devType"] = 1,
            ["lastReportWatts"] = m.Watts,
            ["maxReportWatts"] = Math.Round(m.MaxWatts),
        })]).ToJsonString();

    public static string Meters(GatewaySnapshot s) => new JsonArray(
        MeterConfig(ProductionMeterEid, "production", s.Phases),
        MeterConfig(NetConsumptionMeterEid, "net-consumption", s.Phases)).ToJsonString();

    public static string MeterReadings(GatewaySnapshot s) => new JsonArray(
        MeterReading(s, ProductionMeterEid, s.ProductionWatts, s.ProductionWattHours, 0),
        MeterReading(s, NetConsumptionMeterEid, s.NetConsumptionWatts, s.ImportedWattHours, s.ExportedWattHours)).ToJsonString();

    public static string EnsembleInventory(GatewayGeneration generation, GatewaySnapshot s)
    {
        var devices = new JsonArray();
        foreach (var b in s.Batteries)
        {
            var device = new JsonObject
            {
                ["part_num"] = "830-01760-r37",
                ["installed"] = s.Epoch - 86_400 * 30,
                ["serial_num"] = b.Serial,
                ["device_status"] = new JsonArray("envoy.global.ok", "prop.done"),
                ["last_rpt_date"] = s.Epoch,
                ["admin_state"] = 6,
                ["admin_state_str"] = "ENCHG_STATE_READY",
                ["communicating"] = true,
                ["sleep_enabled"] = false,
                ["percentFull"] = Math.Round(b.SocPercent),
                ["temperature"] = Math.Round(b.TemperatureCelsius),
                ["maxCellTemp"] = Math.Round(b.TemperatureCelsius + 1),
                ["led_status"] = 17,
                ["dc_switch_off"] = false,
                ["encharge_rev"] = 2,
                ["encharge_capacity"] = b.CapacityWattHours,
            };
            if (generation.ReportsOperating) device["operating"] = true;
            devices.Add(device);
        }
        return new JsonArray(new JsonObject { ["type"] = "ENCHARGE", ["devices"] = devices }).ToJsonString();
    }

    /// <summary>
    /// <c>/ivp/ensemble/power</c>: the key really is <c>"devices:"</c>; power in mW and mVA. The simulator reports
    /// discharge as positive <c>real_power_mw</c> (the source does not document the sign; see the Enphase README).
    /// </summary>
    public static string EnsemblePower(GatewaySnapshot s) => new JsonObject
    {
        ["devices:"] = new JsonArray([.. s.Batteries.Select(b => (JsonNode)new JsonObject
        {
            ["serial_num"] = b.Serial,
            ["real_power_mw"] = (long)Math.Round(b.DischargeWatts * 1000),
            ["apparent_power_mva"] = (long)Math.Round(Math.Abs(b.DischargeWatts) * 1000 / 0.98),
            ["soc"] = Math.Round(b.SocPercent),
        })]),
    }.ToJsonString();

    public static string EnsembleSecctrl(GatewaySnapshot s, StorageSettings settings)
    {
        var soc = Math.Round(s.AggregateSocPercent);
        return new JsonObject
        {
            ["shutdown"] = false,
            ["freq_bias_hz"] = 0.0,
            ["voltage_bias_v"] = 0.0,
            ["configured_backup_soc"] = Math.Round(settings.ReservedSocPercent),
            ["adjusted_backup_soc"] = Math.Round(settings.ReservedSocPercent),
            ["agg_soc"] = soc,
            ["Max_energy"] = s.CapacityWattHours,
            ["ENC_agg_soc"] = soc,
            ["ENC_agg_soh"] = 100,
            ["ENC_agg_backup_energy"] = Math.Round(s.CapacityWattHours * settings.ReservedSocPercent / 100),
            ["ENC_agg_avail_energy"] = Math.Round(s.StoredWattHours),
            ["Enc_commissioned_capacity"] = s.CapacityWattHours,
            ["Enc_max_available_capacity"] = s.CapacityWattHours,
            ["ACB_agg_soc"] = 0,
            ["ACB_agg_energy"] = 0,
        }.ToJsonString();
    }

    /// <summary><c>/ivp/pdm/device_data</c> (8.x): microinverter channels in mV, mA and mHz.</summary>
    public static string DeviceData(GatewaySnapshot s)
    {
        var root = new JsonObject();
        var id = 1;
        foreach (var m in s.Microinverters)
        {
            var dcVolts = m.Watts > 0 ? 38.0 : 0;
            root[(id++).ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["devName"] = "pcu",
                ["sn"] = m.Serial,
                ["active"] = true,
                ["modGone"] = false,
                ["channels"] = new JsonArray(new JsonObject
                {
                    ["chanEid"] = 1627390000 + id,
                    ["created"] = s.Epoch,
                    ["wattHours"] = new JsonObject { ["today"] = Math.Round(s.ProductionTodayWattHours / s.Microinverters.Count), ["yesterday"] = 0, ["week"] = 0 },
                    ["watts"] = new JsonObject { ["now"] = m.Watts, ["nowUsed"] = 0, ["max"] = Math.Round(m.MaxWatts) },
                    ["lastReading"] = new JsonObject
                    {
                        ["eid"] = 1627390000 + id,
                        ["interval_type"] = 0,
                        ["endDate"] = s.Epoch,
                        ["duration"] = 900,
                        ["acVoltageINmV"] = Math.Round(s.VoltageVolts * 1000),
                        ["acFrequencyINmHz"] = Math.Round(s.FrequencyHertz * 1000),
                        ["dcVoltageINmV"] = Math.Round(dcVolts * 1000),
                        ["dcCurrentINmA"] = dcVolts > 0 ? Math.Round(m.Watts / GatewayModel.InverterEfficiency / dcVolts * 1000) : 0,
                        ["channelTemp"] = 30,
                        ["joulesProduced"] = Math.Round(m.Watts * 900),
                    },
                }),
            };
        }
        root["deviceCount"] = s.Microinverters.Count;
        return root.ToJsonString();
    }

    public static string Home(GatewayGeneration generation, GatewaySnapshot s) => new JsonObject
    {
        ["software_build_epoch"] = s.Epoch - 86_400 * 100,
        ["timezone"] = "UTC",
        ["current_date"] = s.Time.UtcDateTime.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture),
        ["current_time"] = s.Time.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture),
        ["network"] = new JsonObject { ["web_comm"] = true, ["ever_reported_to_enlighten"] = true },
        ["comm"] = new JsonObject { ["num"] = s.Microinverters.Count + s.Batteries.Count, ["level"] = 5 },
        ["software"] = generation.Software,
    }.ToJsonString();

    public const string NotFound = "{ \"error\" : \"404 - Not Found\" }";

    public const string Unauthorized = """
        <html>
        <head><title>401 Authorization Required</title></head>
        <body>
        <center><h1>401 Authorization Required</h1></center>
        </body>
        </html>

        """;

    public const string ValidToken = "<!DOCTYPE html><h2>Valid token.</h2>\n";

    private static JsonObject MeterConfig(long eid, string type, int phases) => new()
    {
        ["eid"] = eid,
        ["state"] = "enabled",
        ["measurementType"] = type,
        ["phaseMode"] = phases == 3 ? "three" : "single",
        ["phaseCount"] = phases,
        ["meteringStatus"] = "normal",
        ["statusFlags"] = new JsonArray(),
    };

    /// <summary>One <c>/ivp/meters/readings</c> entry with a channel per phase, the power split evenly.</summary>
    private static JsonObject MeterReading(GatewaySnapshot s, long eid, double watts, double delivered, double received)
    {
        JsonObject Values(long id, double share)
        {
            var p = watts * share;
            var apparent = Math.Abs(p) / s.PowerFactor;
            return new JsonObject
            {
                ["eid"] = id,
                ["timestamp"] = s.Epoch,
                ["actEnergyDlvd"] = R3(delivered * share),
                ["actEnergyRcvd"] = R3(received * share),
                ["apparentEnergy"] = R3((delivered + received) * share / s.PowerFactor),
                ["reactEnergyLagg"] = 0.0,
                ["reactEnergyLead"] = 0.0,
                ["instantaneousDemand"] = R3(p),
                ["activePower"] = R3(p),
                ["apparentPower"] = R3(apparent),
                ["reactivePower"] = R3(apparent * Math.Sqrt(1 - s.PowerFactor * s.PowerFactor)),
                ["pwrFactor"] = Math.Sign(p) * s.PowerFactor,
                ["voltage"] = R3(s.VoltageVolts),
                ["current"] = R3(apparent / s.VoltageVolts),
                ["freq"] = s.FrequencyHertz,
            };
        }

        // Summed over the phases the voltage stays a phase voltage and the current is the sum, as in the captures.
        var total = Values(eid, 1);
        total["current"] = R3(Math.Abs(watts) / s.PowerFactor / s.VoltageVolts);
        var channels = new JsonArray();
        for (var phase = 0; phase < s.Phases; phase++) channels.Add(Values(eid * 2 + 1 + phase, 1.0 / s.Phases));
        total["channels"] = channels;
        return total;
    }

    private static JsonObject Eim(GatewaySnapshot s, string measurement, double watts, double lifetime, double today, bool details)
    {
        JsonObject Values(double share)
        {
            var apparent = Math.Abs(watts * share) / s.PowerFactor;
            return new JsonObject
            {
                ["wNow"] = R3(watts * share),
                ["whLifetime"] = R3(lifetime * share),
                ["varhLeadLifetime"] = 0.0,
                ["varhLagLifetime"] = 0.0,
                ["vahLifetime"] = R3(Math.Abs(lifetime * share) / s.PowerFactor),
                ["rmsCurrent"] = R3(apparent / s.VoltageVolts),
                ["rmsVoltage"] = R3(s.VoltageVolts),
                ["reactPwr"] = R3(apparent * Math.Sqrt(1 - s.PowerFactor * s.PowerFactor)),
                ["apprntPwr"] = R3(apparent),
                ["pwrFactor"] = Math.Sign(watts) * s.PowerFactor,
                ["whToday"] = R3(today * share),
                ["whLastSevenDays"] = R3(today * share),
                ["vahToday"] = R3(today * share / s.PowerFactor),
                ["varhLeadToday"] = 0.0,
                ["varhLagToday"] = 0.0,
            };
        }

        var entry = new JsonObject { ["type"] = "eim", ["activeCount"] = 1, ["measurementType"] = measurement, ["readingTime"] = s.Epoch };
        foreach (var (key, value) in Values(1)) entry[key] = value?.DeepClone();
        if (details)
        {
            var lines = new JsonArray();
            for (var phase = 0; phase < s.Phases; phase++) lines.Add(Values(1.0 / s.Phases));
            entry["lines"] = lines;
        }
        return entry;
    }

    private static double R3(double value) => Math.Round(value, 3);
}
