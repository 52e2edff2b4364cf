using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>
/// The whole /admin/lib/tariff document. The gateway takes only a PUT of the entire document, so a change keeps every
/// other key exactly as read and touches only storage_settings.
/// </summary>
public sealed class TariffDocument
{
    public const string Endpoint = "/admin/lib/tariff";

    private readonly JsonObject _root;

    private TariffDocument(JsonObject root) => _root = root;

    /// <summary>storage_settings.mode: "self-consumption", "backup", "economy" or legacy "savings-mode".</summary>
    public string? Mode => Settings?["mode"] is JsonValue m && m.TryGetValue<string>(out var s) ? s : null;

    /// <summary>storage_settings.reserved_soc, %.</summary>
    public double? ReservedSocPct => Number("reserved_soc");

    /// <summary>storage_settings.charge_from_grid.</summary>
    public bool? ChargeFromGrid => Settings?["charge_from_grid"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private JsonObject? Settings => (_root["tariff"] as JsonObject)?["storage_settings"] as JsonObject;

    public static TariffDocument Decode(ReadOnlySpan<byte> body)
    {
        var root = EnphaseJson.Expect(Endpoint, EnphaseJson.Parse(Endpoint, body), JsonValueKind.Object, "the body");
        var node = JsonObject.Create(root) ?? throw new EnphaseFormatException(Endpoint, "the body is not an object");
        if (node["tariff"] is not JsonObject)
            throw new EnphaseFormatException(Endpoint, "no 'tariff' object");
        return new TariffDocument(node);
    }

    /// <summary>False on gateways without batteries: their tariff has no storage_settings to change.</summary>
    public bool HasStorageSettings => Settings is not null;

    /// <summary>A copy with the given storage settings changed (null leaves one as it is).</summary>
    public TariffDocument With(bool? chargeFromGrid = null, double? reservedSocPct = null)
    {
        var copy = new TariffDocument((JsonObject)_root.DeepClone());
        var settings = copy.Settings ?? throw new InvalidOperationException("the tariff document has no storage_settings (no battery)");
        if (chargeFromGrid is { } c) settings["charge_from_grid"] = c;
        if (reservedSocPct is { } r) settings["reserved_soc"] = r;
        return copy;
    }

    /// <summary>The document as the PUT body.</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(_root);

    private double? Number(string name) => Settings?[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
