using Nexwatt.Protocols.SunSpec.Tests.Support;

namespace Nexwatt.Protocols.SunSpec.Tests;

public sealed class ImageBuilderTests
{
    private static SunSpecModelCatalog Catalog => SunSpecModelCatalog.LoadBuiltIn();

    [Fact]
    public void Builds_marker_models_and_end_model_in_one_array()
    {
        var builder = new SunSpecDeviceImageBuilder();
        var common = builder.Add(Catalog.Get(1));
        var mppt = builder.Add(Catalog.Get(160), new Dictionary<string, int> { ["module"] = 2 });
        var image = builder.Build();
        Assert.Equal(40000, image.BaseAddress);
        Assert.Equal(2 + 68 + 2 + 8 + 40 + 2, image.Registers.Length);
        Assert.Equal(new ushort[] { 0x5375, 0x6E53, 1, 66 }, image.Registers[..4]);
        Assert.Equal(new ushort[] { 160, 48 }, image.Registers[70..72]);
        Assert.Equal(new ushort[] { 0xFFFF, 0 }, image.Registers[^2..]);
        Assert.Equal([common, mppt], image.Blocks);
        Assert.Equal(40002, image.AddressOf(common));
        Assert.Equal(40070, image.AddressOf(mppt));
    }

    [Fact]
    public void Blocks_are_views_of_the_image()
    {
        var builder = new SunSpecDeviceImageBuilder();
        var common = builder.Add(Catalog.Get(1));
        common.WriteString("Mn", "before build");
        var inverter = builder.Add(Catalog.Get(103));
        var image = builder.Build();
        Assert.Equal("before build", common.Read("Mn").Text);

        inverter.WriteRaw("W_SF", 1);
        inverter.WriteScaled("W", 4560);
        var address = image.AddressOf(inverter) + inverter.GetOffset("W");
        Assert.Equal(456, image.Registers[address - image.BaseAddress]);

        image.Registers[address - image.BaseAddress] = 789; // a Modbus write landing in the map
        Assert.Equal(7890, inverter.Read("W").Value);
        Assert.Throws<InvalidOperationException>(() => builder.Add(Catalog.Get(1)));
    }

    [Fact]
    public async Task Built_images_are_discovered()
    {
        var builder = new SunSpecDeviceImageBuilder(0);
        builder.Add(Catalog.Get(1)).WriteString("SN", "SIM-1");
        var storage = builder.Add(Catalog.Get(124));
        storage.WriteRaw("WChaMax_SF", 0);
        storage.WriteScaled("WChaMax", 5000);
        var image = builder.Build();
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.Equal(0, map!.BaseAddress);
        var blocks = await SunSpecDeviceReader.ReadAllAsync(client, map, SunSpecWordOrder.HighWordFirst, CancellationToken.None);
        Assert.Equal("SIM-1", blocks[0].Read("SN").Text);
        Assert.Equal(5000, blocks[1].Read("WChaMax").Value);
    }
}
