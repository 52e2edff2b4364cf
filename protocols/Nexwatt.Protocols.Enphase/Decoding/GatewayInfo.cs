using System.Xml;
using System.Xml.Linq;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>What /info tells before any authentication: who the gateway is and which firmware generation it runs.</summary>
/// <param name="Metered">&lt;imeter&gt;: true on a metered gateway (CT inputs); null when the firmware omits it.</param>
/// <param name="WebTokens">&lt;web-tokens&gt;true: token-auth firmware.</param>
/// <param name="Time">The gateway's own clock (&lt;time&gt;, epoch seconds), when given.</param>
public sealed record GatewayInfo(string Serial, string PartNumber, FirmwareVersion Firmware, bool? Metered, bool WebTokens, DateTimeOffset? Time)
{
    public const string Endpoint = "/info";

    /// <summary>Decodes the /info XML; throws <see cref="EnphaseFormatException"/> on anything else.</summary>
    public static GatewayInfo Decode(ReadOnlySpan<byte> body)
    {
        XDocument document;
        try
        {
            // No DTDs and no external entities: the body comes from the network.
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1 << 20 };
            using var reader = XmlReader.Create(new MemoryStream(body.ToArray()), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new EnphaseFormatException(Endpoint, $"not valid XML ({e.Message})", e);
        }
        var root = document.Root;
        if (root is null || root.Name.LocalName != "envoy_info")
            throw new EnphaseFormatException(Endpoint, $"root element is <{root?.Name.LocalName}>, expected <envoy_info>");
        var device = root.Element("device") ?? throw new EnphaseFormatException(Endpoint, "no <device> element");
        var serial = Required(device, "sn");
        var software = Required(device, "software");
        FirmwareVersion firmware;
        try { firmware = FirmwareVersion.Parse(software); }
        catch (FormatException e) { throw new EnphaseFormatException(Endpoint, e.Message, e); }
        var time = long.TryParse(root.Element("time")?.Value, out var epoch) && epoch > 0 ? DateTimeOffset.FromUnixTimeSeconds(epoch) : (DateTimeOffset?)null;
        return new GatewayInfo(serial, device.Element("pn")?.Value.Trim() ?? "", firmware,
            Flag(device.Element("imeter")), Flag(root.Element("web-tokens")) ?? false, time);
    }

    private static string Required(XElement parent, string name)
    {
        var value = parent.Element(name)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? throw new EnphaseFormatException(Endpoint, $"<device> has no <{name}>") : value;
    }

    private static bool? Flag(XElement? element) => element?.Value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };
}
