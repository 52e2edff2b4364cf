using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Tests.Registry;

public class IsoZoneTests
{
    [Theory]
    [InlineData("PJM", Iso.Pjm, null, "PJM")]
    [InlineData(" pjm-dom ", Iso.Pjm, "DOM", "PJM-DOM")]
    [InlineData("CAISO-SP15", Iso.Caiso, "SP15", "CAISO-SP15")]
    [InlineData("caiso_sp15", Iso.Caiso, "SP15", "CAISO-SP15")]
    [InlineData("ISO-NE", Iso.IsoNe, null, "ISO-NE")]
    [InlineData("ISO-NE-CT", Iso.IsoNe, "CT", "ISO-NE-CT")]
    [InlineData("isone", Iso.IsoNe, null, "ISO-NE")]
    [InlineData("NYISO-J", Iso.Nyiso, "J", "NYISO-J")]
    [InlineData("ERCOT-HOUSTON", Iso.Ercot, "HOUSTON", "ERCOT-HOUSTON")]
    [InlineData("MISO", Iso.Miso, null, "MISO")]
    [InlineData("SPP", Iso.Spp, null, "SPP")]
    public void Zones_parse_to_their_iso_and_sub_zone(string text, Iso iso, string? subZone, string canonical)
    {
        Assert.True(IsoZone.TryParse(text, out var zone));
        Assert.Equal((iso, subZone, canonical), (zone.Iso, zone.SubZone, zone.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("XYZ")]
    [InlineData("PJMX")]
    [InlineData("PJM-")]
    [InlineData("PJM-DOM;DROP")]
    [InlineData("FERC")]
    public void Other_strings_are_not_zones(string? text) => Assert.False(IsoZone.TryParse(text, out _));

    [Fact]
    public void A_bare_iso_holds_its_sub_zones_and_a_sub_zone_only_itself()
    {
        IsoZone Z(string s) => IsoZone.TryParse(s, out var z) ? z : throw new ArgumentException(s);
        Assert.True(Z("PJM").Contains(Z("PJM-DOM")));
        Assert.True(Z("PJM").Contains(Z("PJM")));
        Assert.True(Z("PJM-DOM").Contains(Z("pjm-dom")));
        Assert.False(Z("PJM-DOM").Contains(Z("PJM-AEP")));
        Assert.False(Z("PJM-DOM").Contains(Z("PJM")));
        Assert.False(Z("PJM").Contains(Z("CAISO")));
    }
}
