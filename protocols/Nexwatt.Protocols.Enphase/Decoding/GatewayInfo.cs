using System.Globalization;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>What /info tells before any authentication: who the gateway is and which firmware generation it runs.</summary>
/// <param name="Metered">&lt;imeter&gt;: true on a metered gateway (CT inputs); null when the firmware omits it.</param>
/// <param name="WebTokens">&lt;web-tokens&gt;true: token-auth firmware.</param>
/// <param name="Time">The gateway's own clock (&lt;time&gt;, epoch seconds), when given.</param>
public sealed record GatewayInfo(string Serial, string PartNumber, FirmwareVersion Firmware, bool? Metered, bool WebTokens, DateTimeOffset? Time)
{
    public const string Endpoint = "/info";

    // DateTimeOffset's range: 0001-01-01 .. 9999-12-31 as Unix seconds.
    private const long LatestEpochSeconds = 253_402_300_799;

    /// <summary>Decodes the /info XML (read by <see cref="FlatXml"/>, not System.Xml); throws <see cref="EnphaseFormatException"/> on anything else.</summary>
    public static GatewayInfo Decode(ReadOnlySpan<byte> body)
    {
        var document = FlatXml.Read(body, Endpoint);
        if (document.RootName != "envoy_info")
            throw new EnphaseFormatException(Endpoint, $"root element is <{document.RootName}>, expected <envoy_info>");
        var fields = document.Text;
        if (!fields.ContainsKey("device")) throw new EnphaseFormatException(Endpoint, "no <device> element");
        var serial = Required(fields, "sn");
        var software = Required(fields, "software");
        FirmwareVersion firmware;
        try { firmware = FirmwareVersion.Parse(software); }
        catch (FormatException e) { throw new EnphaseFormatException(Endpoint, e.Message, e); }
        var time = fields.TryGetValue("time", out var text) && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var epoch)
            && epoch is > 0 and <= LatestEpochSeconds ? DateTimeOffset.FromUnixTimeSeconds(epoch) : (DateTimeOffset?)null;
        return new GatewayInfo(serial, fields.GetValueOrDefault("device/pn")?.Trim() ?? "", firmware,
            Flag(fields.GetValueOrDefault("device/imeter")), Flag(fields.GetValueOrDefault("web-tokens")) ?? false, time);
    }

    private static string Required(IReadOnlyDictionary<string, string> fields, string name)
    {
        var value = fields.GetValueOrDefault("device/" + name)?.Trim();
        return string.IsNullOrEmpty(value) ? throw new EnphaseFormatException(Endpoint, $"<device> has no <{name}>") : value;
    }

    private static bool? Flag(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };
}
