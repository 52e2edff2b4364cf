using System.Xml;
using System.Xml.Linq;

namespace Nexwatt.EdgeAgent.Discovery.Enphase;

/// <summary>
/// What a gateway's <c>/info</c> (XML <c>envoy_info</c>, readable without credentials on every firmware) says about it.
/// <see cref="Firmware"/> is <c>&lt;software&gt;</c> without its leading letter (D8.2.4345 → 8.2.4345).
/// </summary>
internal sealed record EnphaseInfo(string Serial, string PartNumber, string Software, bool Metered, bool WebTokens)
{
    public string Firmware => Software.Length > 1 && char.IsLetter(Software[0]) ? Software[1..] : Software;

    /// <summary>Null when the body is not an IQ Gateway's /info (another web server answered).</summary>
    public static EnphaseInfo? TryParse(string body)
    {
        XElement? root;
        try { root = XDocument.Parse(body).Root; }
        catch (XmlException) { return null; }
        if (root?.Name.LocalName != "envoy_info" || root.Element("device") is not { } device) return null;
        var serial = device.Element("sn")?.Value;
        if (string.IsNullOrWhiteSpace(serial)) return null;
        return new EnphaseInfo(serial.Trim(), device.Element("pn")?.Value.Trim() ?? "", device.Element("software")?.Value.Trim() ?? "",
            string.Equals(device.Element("imeter")?.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase),
            string.Equals(root.Element("web-tokens")?.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase));
    }
}
