using System.Globalization;
using System.Text.Json.Nodes;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// The <c>/admin/lib/tariff</c> document: <c>{"tariff": {..., "storage_settings": {mode, reserved_soc,
/// charge_from_grid, very_low_soc}}, "schedule": {...}}</c>. A PUT replaces the whole <c>tariff</c> object (clients send
/// back the document they read with their changes); the <c>schedule</c> mirror of the storage settings follows it, as
/// the captures show both carrying the same values. Not thread-safe: the gateway model serializes access.
/// </summary>
internal sealed class TariffDocument
{
    private JsonObject _document;

    public TariffDocument(StorageSettings initial, TimeProvider time)
    {
        _document = Initial(initial, time.GetUtcNow());
        Settings = initial;
    }

    public StorageSettings Settings { get; private set; }

    /// <summary>Number of PUTs accepted (obeyed or, under the ignore-writes fault, ignored).</summary>
    public int Writes { get; private set; }

    public string ToJson() => _document.ToJsonString();

    /// <summary>
    /// Applies a PUT body. Returns null when accepted, else the reason (the gateway answers 400 and keeps the old
    /// document). With <paramref name="ignore"/> the body is checked and acknowledged but not applied, as 8.2.42xx
    /// firmware is reported to do.
    /// </summary>
    public string? TryPut(string body, bool ignore)
    {
        JsonObject? root;
        try { root = JsonNode.Parse(body) as JsonObject; }
        catch (System.Text.Json.JsonException ex) { return "body is not JSON: " + ex.Message; }
        if (root?["tariff"] is not JsonObject tariff) return "body needs a \"tariff\" object";
        if (tariff["storage_settings"] is not JsonObject storage) return "tariff needs a \"storage_settings\" object";
        if (!StorageSettings.TryParseMode(TextOf(storage["mode"]), out var mode))
            return "storage_settings.mode must be self-consumption, backup, economy or savings-mode";
        if (!TryNumber(storage["reserved_soc"], out var reserve) || reserve is < 0 or > 100)
            return "storage_settings.reserved_soc must be a number from 0 to 100";
        var chargeFromGrid = false;
        if (storage["charge_from_grid"] is { } cfg && !TryBool(cfg, out chargeFromGrid))
            return "storage_settings.charge_from_grid must be true or false";
        Writes++;
        if (ignore) return null;
        var next = (JsonObject)_document.DeepClone();
        next["tariff"] = tariff.DeepClone();
        if (next["schedule"] is JsonObject schedule)
        {
            schedule["reserved_soc"] = reserve;
            schedule["charge_from_grid"] = chargeFromGrid;
            schedule["batt_mode"] = StorageSettings.ModeText(mode);
            schedule["battery_mode"] = StorageSettings.ModeText(mode);
        }
        _document = next;
        Settings = new StorageSettings(mode, reserve, chargeFromGrid);
        return null;
    }

    private static JsonObject Initial(StorageSettings settings, DateTimeOffset now)
    {
        var epoch = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mode = StorageSettings.ModeText(settings.Mode);
        return new JsonObject
        {
            ["tariff"] = new JsonObject
            {
                ["currency"] = new JsonObject { ["code"] = "EUR" },
                ["logger"] = "mylogger",
                ["date"] = epoch,
                ["storage_settings"] = new JsonObject
                {
                    ["mode"] = mode,
                    ["operation_mode_sub_type"] = "",
                    ["reserved_soc"] = settings.ReservedSocPercent,
                    ["very_low_soc"] = 5,
                    ["charge_from_grid"] = settings.ChargeFromGrid,
                    ["date"] = epoch,
                },
                ["single_rate"] = new JsonObject { ["rate"] = 0.25, ["sell"] = 0.07 },
                ["seasons"] = new JsonArray(),
                ["seasons_sell"] = new JsonArray(),
            },
            ["schedule"] = new JsonObject
            {
                ["filename"] = "Tariff",
                ["source"] = "Tariff",
                ["version"] = "00.00.02",
                ["reserved_soc"] = settings.ReservedSocPercent,
                ["very_low_soc"] = 5,
                ["charge_from_grid"] = settings.ChargeFromGrid,
                ["batt_mode"] = mode,
                ["battery_mode"] = mode,
            },
        };
    }

    private static string? TextOf(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && (v.TryGetValue(out value) || (v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)));
    }

    private static bool TryBool(JsonNode node, out bool value)
    {
        value = false;
        return node is JsonValue v && v.TryGetValue(out value);
    }
}
