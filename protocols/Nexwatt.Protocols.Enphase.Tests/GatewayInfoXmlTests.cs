using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.Protocols.Enphase.Tests;

/// <summary>
/// /info is read by our own small XML reader (<see cref="FlatXml"/>) instead of System.Xml. System.Xml.Linq stays the
/// oracle here, in the tests only: every captured /info gives the same fields through both, and generated XML-like
/// documents are accepted or refused alike, ours refusing only with <see cref="EnphaseFormatException"/>.
/// </summary>
public sealed class GatewayInfoXmlTests
{
    [Theory]
    [MemberData(nameof(CapturedGateway.Folders), MemberType = typeof(CapturedGateway))]
    public void EveryCapturedInfo_DecodesAsSystemXmlReadsIt(string folder)
    {
        var body = File.ReadAllBytes(Path.Combine(CapturedGateway.FixturesRoot, folder, "info"));
        var root = XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;
        var device = root.Element("device")!;

        var info = GatewayInfo.Decode(body);

        Assert.Equal(device.Element("sn")!.Value.Trim(), info.Serial);
        Assert.Equal(device.Element("pn")!.Value.Trim(), info.PartNumber);
        Assert.Equal(FirmwareVersion.Parse(device.Element("software")!.Value.Trim()), info.Firmware);
        Assert.Equal(device.Element("imeter")?.Value.Trim() switch { "true" => true, "false" => false, _ => (bool?)null }, info.Metered);
        Assert.Equal(root.Element("web-tokens")?.Value.Trim() == "true", info.WebTokens);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(long.Parse(root.Element("time")!.Value, CultureInfo.InvariantCulture)), info.Time);
    }

    [Theory]
    [InlineData("<?xml version='1.0' encoding='UTF-8'?>\n<envoy_info><device><sn>1&amp;2</sn><software>D8.2.1</software></device></envoy_info>", "1&2")]
    [InlineData("\uFEFF<envoy_info><!-- c --><device a=\"x\" b='y'><sn><![CDATA[12]]>&#x33;&#52;</sn><software>D7.0.1</software><imeter/></device></envoy_info>\n<?pi x?>", "1234")]
    public void WellFormedVariants_AreRead(string xml, string serial) => Assert.Equal(serial, GatewayInfo.Decode(Encoding.UTF8.GetBytes(xml)).Serial);

    [Theory]
    [InlineData("<!DOCTYPE envoy_info [<!ENTITY x 'y'>]><envoy_info/>", "DTD")]
    [InlineData("<envoy_info><device><sn>&x;</sn></device></envoy_info>", "reference")]
    [InlineData("<envoy_info><device></envoy_info>", "does not close")]
    [InlineData("<envoy_info><device>", "not closed")]
    [InlineData("<envoy_info/><more/>", "after the root")]
    [InlineData("text<envoy_info/>", "no root")]
    [InlineData("<?xml version='1.0' encoding='ISO-8859-1'?><envoy_info/>", "UTF-8")]
    [InlineData("<envoy_info a='1' a='2'/>", "twice")]
    [InlineData("<envoy_info>\u0001</envoy_info>", "control")]
    [InlineData("<html><body>401</body></html>", "expected <envoy_info>")]
    [InlineData("<envoy_info><time>99999999999999999</time></envoy_info>", "no <device>")]
    public void Malformed_IsAFormatErrorNamingTheProblem(string xml, string problem)
    {
        var error = Assert.Throws<EnphaseFormatException>(() => GatewayInfo.Decode(Encoding.UTF8.GetBytes(xml)));
        Assert.Equal(GatewayInfo.Endpoint, error.Endpoint);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8_IsAFormatError() =>
        Assert.Throws<EnphaseFormatException>(() => GatewayInfo.Decode([.. "<envoy_info><device><sn>"u8, 0xC3, 0x28, .. "</sn></device></envoy_info>"u8]));

    // Pieces of /info and of XML's corner cases, inserted into well-formed documents so that the generated ones are
    // often nearly well formed, and sometimes exactly.
    private static readonly string[] Pieces =
    [
        "<envoy_info>", "</envoy_info>", "<device>", "</device>", "<sn>", "</sn>", "<a b=\"c\"/>", "<a b='1' b='2'/>", "&amp;", "&lt;", "&#65;", "&#x0;",
        "&bogus;", "&", "<!-- c -->", "<!-- a--b -->", "<![CDATA[x]]>", "]]>", "<?pi d?>", "<?xml version='1.0'?>", "<!DOCTYPE x>", " ", "\n", ">", "<",
        "\"", "'", "=", "/>", "\u00e9", "\u0001", "x y",
    ];

    private static Gen<string> Element(int depth) =>
        from name in Gen.Elements("envoy_info", "device", "sn", "a-b", "_c.d")
        from attributes in Gen.Elements("", " b='c'", " b=\"1\" c='2'", " d = 'x&amp;y'")
        from children in Gen.ListOf(depth > 0 ? Gen.OneOf(Element(depth - 1), Text) : Text).Select(l => l.Take(3))
        from empty in Gen.Elements(false, false, true)
        select empty ? $"<{name}{attributes}/>" : $"<{name}{attributes}>{string.Concat(children)}</{name}>";

    private static readonly Gen<string> Text = Gen.Elements("1214", "D8.2.4", "&amp;", "&#65;", "&#x42;", " ", "\n\t", "<![CDATA[x<y]]>", "<!-- c -->", "<?pi d?>", "a>b");

    private static readonly Gen<string> XmlLike =
        from prolog in Gen.Elements("", "<?xml version='1.0' encoding='UTF-8'?>\n", "<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<!-- p -->")
        from root in Element(3)
        from epilog in Gen.Elements("", "\n", "<!-- e -->", "<?pi e?>")
        from edits in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 1000), Gen.Elements(Pieces)), 2).SelectMany(e => Gen.Choose(0, 2).Select(n => e.Take(n)))
        from cut in Gen.Choose(0, 20)
        select Edit(prolog + root + epilog, edits, cut);

    private static string Edit(string xml, IEnumerable<(int At, string Piece)> edits, int cut)
    {
        foreach (var (at, piece) in edits) xml = xml.Insert(at % (xml.Length + 1), piece);
        return cut == 0 ? xml[..(xml.Length / 2)] : xml; // sometimes truncated
    }

    [Fact]
    public void GeneratedDocuments_AreAcceptedOrRefusedAsSystemXmlDoes()
    {
        var wellFormed = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(Arb.From(XmlLike), xml =>
        {
            var oracle = WellFormed(xml);
            bool ours;
            try
            {
                FlatXml.Read(Encoding.UTF8.GetBytes(xml), GatewayInfo.Endpoint);
                ours = true;
            }
            // Stricter on purpose: XmlReader takes any version that starts with "1.0" ("1.0x y"); ours only "1.0".
            catch (EnphaseFormatException e) when (oracle && e.Message.Contains("XML version", StringComparison.Ordinal)) { return; }
            catch (EnphaseFormatException) { ours = false; }
            Assert.True(oracle == ours, $"System.Xml says {(oracle ? "well formed" : "malformed")}, ours {(ours ? "well formed" : "malformed")}: {xml}");
            if (ours) wellFormed++;
        }));
        Assert.True(wellFormed > 300, $"only {wellFormed} of 3000 generated documents were well formed: the generator no longer tests acceptance");
    }

    private static bool WellFormed(string xml)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(xml)), settings);
            XDocument.Load(reader);
            return true;
        }
        catch (XmlException) { return false; }
    }
}
