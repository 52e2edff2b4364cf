using Nexwatt.Protocols.SunSpec.Tests.Support;

namespace Nexwatt.Protocols.SunSpec.Tests;

/// <summary>Oracle (c): the SunSpec Alliance's own device images, discovered and decoded end to end.</summary>
public sealed class DeviceImageTests
{
    private static async Task<(SunSpecDeviceMap Map, IReadOnlyList<SunSpecModelBlock> Blocks, FakeModbusClient Client)> DiscoverMbmap(string file)
    {
        var (baseAddress, registers) = MbmapImage.Load(Path.Combine(Reference.Devices, file));
        var client = FakeModbusClient.From(baseAddress, registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.NotNull(map);
        var blocks = await SunSpecDeviceReader.ReadAllAsync(client, map, SunSpecWordOrder.HighWordFirst, CancellationToken.None);
        return (map, blocks, client);
    }

    [Theory]
    [InlineData("pysunspec_mbmap_test_inverter_1.xml", "TestInverter-1", new[] { 1, 103 }, new[] { 40002, 40070 })]
    [InlineData("pysunspec_mbmap_test_inverter_2.xml", "TestInverter-2", new[] { 1, 103, 160 }, new[] { 40002, 40070, 40122 })]
    [InlineData("pysunspec_mbmap_test_inverter_3.xml", "TestInverter-3", new[] { 1, 103, 160, 160, 160 }, new[] { 40002, 40070, 40122, 40192, 40262 })]
    public async Task Inverter_images_decode_to_the_documented_values(string file, string model, int[] ids, int[] addresses)
    {
        var (map, blocks, _) = await DiscoverMbmap(file);
        Assert.Equal(40000, map.BaseAddress);
        Assert.Equal(ids, map.Models.Select(m => (int)m.ModelId));
        Assert.Equal(addresses, map.Models.Select(m => (int)m.Address));
        Assert.All(map.Models, m => Assert.NotNull(m.Definition));

        var common = SunSpecCommonModel.FromBlock(blocks[0]);
        Assert.Equal(new SunSpecCommonModel("SunSpecTest", model, "opt_a_b_c", "1.2.3", "sn-123456789", 1), common);

        var inverter = blocks[1];
        Assert.Equal(124, inverter.Read("A").Raw);
        Assert.Equal(12.4, inverter.Read("A").Value);
        Assert.Equal([4.1, 4.2, 4.3], new[] { "AphA", "AphB", "AphC" }.Select(p => inverter.Read(p).Value!.Value));
        Assert.Equal(SunSpecValueKind.NotImplemented, inverter.Read("PPVphAB").Kind);
        Assert.Null(inverter.Read("PPVphAB").Value);
        Assert.Equal(240.1, inverter.Read("PhVphA").Value);
        Assert.Equal(240.3, inverter.Read("PhVphC").Value);
        Assert.Equal(2970, inverter.Read("W").Value);
        Assert.Equal(59.99, inverter.Read("Hz").Value);
        Assert.Equal("59.99", inverter.Read("Hz").Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.1, inverter.Read("VAr").Value);
        Assert.Equal(0.995, inverter.Read("PF").Value);
        Assert.Equal(1234567, inverter.Read("WH").Value);
        Assert.Equal(10.0, inverter.Read("DCA").Value);
        Assert.Equal(300.1, inverter.Read("DCV").Value);
        Assert.Equal(40.4, inverter.Read("TmpOt").Value);
        Assert.Equal("OFF", inverter.Read("St").Symbol);
        Assert.Equal(3, inverter.Read("Evt1").Raw);
        Assert.Equal(8, inverter.Read("EvtVnd4").Raw);
    }

    [Fact]
    public async Task Model_160_modules_decode()
    {
        var (_, blocks, _) = await DiscoverMbmap("pysunspec_mbmap_test_inverter_2.xml");
        var mppt = blocks[2];
        Assert.Equal(3, mppt.Read("N").Raw);
        Assert.Equal(300, mppt.Read("TmsPer").Raw);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i + 1, mppt.Read($"module[{i}].ID").Raw);
            Assert.Equal($"1:{i + 1}", mppt.Read($"module[{i}].IDStr").Text);
            Assert.Equal(1.1 + i / 10.0, mppt.Read($"module[{i}].DCA").Value!.Value, 10);
            Assert.Equal(300.11 + i / 100.0, mppt.Read($"module[{i}].DCV").Value!.Value, 10);
            Assert.Equal(331 + i, mppt.Read($"module[{i}].DCW").Value);
            Assert.Equal(2111 + i, mppt.Read($"module[{i}].DCWH").Value);
        }
        Assert.Equal(300.11, mppt.Read("module[0].DCV").Value);
        Assert.False(mppt.HasPoint("module[3].DCV"));
    }

    [Fact]
    public async Task Three_instances_of_model_160_are_all_read()
    {
        var (map, blocks, _) = await DiscoverMbmap("pysunspec_mbmap_test_inverter_3.xml");
        Assert.Equal(3, map.FindAll(160).Count);
        var mppts = blocks.Where(b => b.Model.Id == 160).ToArray();
        Assert.Equal(3, mppts.Length);
        Assert.Equal(300.11, mppts[0].Read("module[0].DCV").Value);
        Assert.Equal(300.21, mppts[1].Read("module[0].DCV").Value);
        Assert.Equal(300.31, mppts[2].Read("module[0].DCV").Value);
        Assert.Equal("2:1", mppts[1].Read("module[0].IDStr").Text);
        Assert.Equal("3:3", mppts[1].Read("module[2].IDStr").Text); // labelled so in the source
        Assert.Equal("3:2", mppts[2].Read("module[1].IDStr").Text);
    }

    [Fact]
    public async Task Legacy_common_model_with_L_65_decodes()
    {
        var (map, blocks, _) = await DiscoverMbmap("pysunspec_mbmap_test_device_2.xml");
        var location = Assert.Single(map.Models);
        Assert.Equal(65, location.Length);
        var common = SunSpecCommonModel.FromBlock(Assert.Single(blocks));
        Assert.Equal("TestDevice-2", common.Model);
        Assert.Equal("sn-123456789", common.SerialNumber);
        Assert.Equal((ushort)1, common.DeviceAddress);
        Assert.False(blocks[0].Read("Pad").IsImplemented);
    }

    [Fact]
    public async Task Discovery_request_count_is_reported()
    {
        var (map, _, client) = await DiscoverMbmap("pysunspec_mbmap_test_inverter_1.xml");
        // marker, model 1 header, model 103 header, end header.
        Assert.Equal(4, map.RequestCount);
        Assert.Equal(4 + 2, client.ReadRequests);
    }

    [Fact]
    public async Task Pysunspec2_inverter_123_skips_the_unknown_model_129()
    {
        var image = DeviceJsonImage.Load(Path.Combine(Reference.Devices, "pysunspec2_inverter_123.json"), SunSpecModelCatalog.LoadBuiltIn(), addEndModel: false);
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.NotNull(map);
        Assert.Equal(2, map.Models.Count);
        Assert.Equal(new SunSpecModelLocation(129, 40070, 210, null), map.Models[1]);
        Assert.False(map.Models[1].IsKnown);
        var blocks = await SunSpecDeviceReader.ReadAllAsync(client, map, SunSpecWordOrder.HighWordFirst, CancellationToken.None);
        var common = SunSpecCommonModel.FromBlock(Assert.Single(blocks));
        Assert.Equal(new SunSpecCommonModel("Device Manufacturer", "Inverter 123", null, "v0.0.1", "9999abcd", null), common);
        await Assert.ThrowsAsync<SunSpecDecodingException>(() => SunSpecDeviceReader.ReadModelAsync(client, 1, map.Models[1], SunSpecWordOrder.HighWordFirst, CancellationToken.None));
    }

    [Fact]
    public async Task Pysunspec2_device_1547_draft_decodes_where_names_match()
    {
        var image = DeviceJsonImage.Load(Path.Combine(Reference.Devices, "pysunspec2_device_1547.json"), SunSpecModelCatalog.LoadBuiltIn(), addEndModel: true);
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.NotNull(map);
        Assert.Equal([1, 701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713], map.Models.Select(m => (int)m.ModelId));
        var blocks = await SunSpecDeviceReader.ReadAllAsync(client, map, SunSpecWordOrder.HighWordFirst, CancellationToken.None);
        foreach (var block in blocks) Assert.NotEmpty(block.ReadAll()); // decoding never throws

        var common = SunSpecCommonModel.FromBlock(blocks[0]);
        Assert.Equal(new SunSpecCommonModel("SunSpecTest", "Test-1547-1", "opt_a_b_c", "1.2.3", "sn-123456789", 1), common);
        var m701 = blocks[1];
        Assert.Equal(9800, m701.Read("W").Value);
        Assert.Equal(60.01, m701.Read("Hz").Value);
        Assert.Equal(0.985, m701.Read("PF").Value);
        Assert.Equal(150_000, m701.Read("TotWhInj").Value);
        Assert.Equal(41.1, m701.Read("A").Value);
        Assert.False(m701.Read("VL3").IsImplemented); // named VL3N in the draft
        Assert.Contains(image.Skipped, s => s.Contains("VL3N", StringComparison.Ordinal));
        var m705 = blocks[5];
        Assert.Equal(3, m705.Read("NCrv").Raw);
        Assert.True(m705.HasPoint("Crv[2].Pt[3].V"));
    }
}
