namespace Nexwatt.Protocols.SunSpec.Tests;

public sealed class BlockTests
{
    private static SunSpecModelCatalog Catalog => SunSpecModelCatalog.LoadBuiltIn();

    [Fact]
    public void Create_sets_ID_L_and_every_point_not_implemented()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(103));
        Assert.Equal(103, block.ModelId);
        Assert.Equal(50, block.Length);
        Assert.Equal(52, block.Registers.Length);
        Assert.Equal(103, block.Read("ID").Value);
        foreach (var point in block.ReadAll().Where(p => p.Path is not ("ID" or "L")))
            Assert.False(point.Value.IsImplemented, point.Path);
        Assert.Equal(0x8000, block.Registers.Span[2 + 12]); // W int16
        Assert.Equal(0xFFFF, block.Registers.Span[2 + 0]);  // A uint16
    }

    [Fact]
    public void Scale_factors_apply_with_decimal_friendly_results()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(103));
        block.WriteRaw("Hz_SF", -2);
        block.WriteRaw("Hz", 5999);
        Assert.Equal(59.99, block.Read("Hz").Value);
        Assert.Equal("59.99 Hz", block.Read("Hz").ToString());
        block.WriteRaw("PF_SF", -3);
        block.WriteScaled("PF", -0.995);
        Assert.Equal(-995, block.Read("PF").Raw);
        Assert.Equal(-0.995, block.Read("PF").Value);
        block.WriteRaw("W_SF", 2);
        block.WriteScaled("W", 12345);
        Assert.Equal(123, block.Read("W").Raw);
        Assert.Equal(12300, block.Read("W").Value);
    }

    [Fact]
    public void A_value_whose_scale_factor_is_not_implemented_is_not_implemented()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(103));
        block.WriteRaw("W", 100);
        Assert.Equal(SunSpecValueKind.NotImplemented, block.Read("W").Kind);
        var ex = Assert.Throws<SunSpecEncodingException>(() => block.WriteScaled("W", 100));
        Assert.Contains("W_SF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteScaled_rejects_values_out_of_range()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(103));
        block.WriteRaw("W_SF", 0);
        Assert.Throws<SunSpecEncodingException>(() => block.WriteScaled("W", 40000));
        Assert.Throws<SunSpecEncodingException>(() => block.WriteScaled("W", -32768)); // the sentinel
        block.WriteScaled("W", -32767);
        Assert.Equal(-32767, block.Read("W").Value);
        Assert.Throws<SunSpecEncodingException>(() => block.WriteScaled("W", double.NaN));
        Assert.Throws<SunSpecEncodingException>(() => block.WriteRaw("W", 32768));
    }

    [Fact]
    public void Enums_and_bitfields_decode_symbols()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(103));
        block.WriteRaw("St", 4);
        var st = block.Read("St");
        Assert.Equal(SunSpecValueKind.Enum, st.Kind);
        Assert.Equal("MPPT", st.Symbol);
        block.WriteRaw("Evt1", (1 << 0) | (1 << 3));
        var evt = block.Read("Evt1");
        Assert.Equal(SunSpecValueKind.Bitfield, evt.Kind);
        Assert.Equal(["GROUND_FAULT", "DC_DISCONNECT"], evt.Bits);
    }

    [Fact]
    public void Strings_round_trip_and_all_zero_is_not_implemented()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(1));
        Assert.False(block.Read("Mn").IsImplemented);
        block.WriteString("Mn", "Nexwatt");
        Assert.Equal("Nexwatt", block.Read("Mn").Text);
        block.WriteString("Mn", new string('x', 32));
        Assert.Equal(32, block.Read("Mn").Text!.Length);
        Assert.Throws<SunSpecEncodingException>(() => block.WriteString("Mn", new string('x', 33)));
        Assert.Throws<SunSpecEncodingException>(() => block.WriteString("DA", "1"));
    }

    [Fact]
    public void Float_points_decode_and_NaN_is_not_implemented()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(113));
        Assert.False(block.Read("Hz").IsImplemented);
        Assert.Equal(0x7FC0, block.Registers.Span[block.GetOffset("Hz")]);
        block.WriteFloat("Hz", 50.02);
        Assert.Equal(50.02f, (float)block.Read("Hz").Value!.Value);
        block.WriteScaled("W", 1500.5);
        Assert.Equal(1500.5, block.Read("W").Value);
        Assert.Throws<SunSpecEncodingException>(() => block.WriteFloat("St", 1));
    }

    [Fact]
    public void Word_order_affects_32_bit_points()
    {
        var model = Catalog.Get(103);
        var block = SunSpecModelBlock.Create(model);
        block.WriteRaw("WH_SF", 0);
        block.WriteRaw("WH", 0x0001_0002);
        var offset = block.GetOffset("WH");
        Assert.Equal(1, block.Registers.Span[offset]);
        Assert.Equal(2, block.Registers.Span[offset + 1]);
        var swapped = SunSpecModelBlock.FromRegisters(model, block.Registers, SunSpecWordOrder.LowWordFirst);
        Assert.Equal(0x0002_0001, swapped.Read("WH").Raw);
        swapped.WriteNotImplemented("WH");
        Assert.False(swapped.Read("WH").IsImplemented);
    }

    [Fact]
    public void Nested_repeating_groups_lay_out_from_count_points()
    {
        var model = Catalog.Get(705);
        var block = SunSpecModelBlock.Create(model, new Dictionary<string, int> { ["NCrv"] = 3, ["NPt"] = 4 });
        Assert.Equal(3, block.Read("NCrv").Raw);
        Assert.Equal(4, block.Read("NPt").Raw);
        Assert.Equal(model.FixedLength + 3 * (10 + 4 * 2), block.Length);
        block.WriteRaw("V_SF", -1);
        block.WriteScaled("Crv[2].Pt[3].V", 101.5);
        Assert.Equal(101.5, block.Read("Crv[2].Pt[3].V").Value);
        var decoded = SunSpecModelBlock.FromRegisters(model, block.Registers);
        Assert.Equal(block.PointPaths, decoded.PointPaths);
        Assert.Equal(101.5, decoded.Read("Crv[2].Pt[3].V").Value);
        Assert.Throws<SunSpecDecodingException>(() => decoded.Read("Crv[3].Pt[0].V"));
    }

    [Fact]
    public void Scale_factor_is_searched_in_own_group_then_parents()
    {
        // 160: module DCV is scaled by the root's DCV_SF.
        var block = SunSpecModelBlock.Create(Catalog.Get(160), new Dictionary<string, int> { ["module"] = 2 });
        Assert.Equal(8 + 2 * 20, block.Length);
        block.WriteRaw("DCV_SF", -2);
        block.WriteRaw("module[1].DCV", 30011);
        Assert.Equal(300.11, block.Read("module[1].DCV").Value);
    }

    [Fact]
    public void Count_zero_groups_are_sized_from_L()
    {
        var model = Catalog.Get(160);
        var registers = new ushort[2 + 8 + 3 * 20];
        registers[0] = 160;
        registers[1] = (ushort)(registers.Length - 2);
        var block = SunSpecModelBlock.FromRegisters(model, registers);
        Assert.True(block.HasPoint("module[2].DCV"));
        Assert.False(block.HasPoint("module[3].DCV"));
    }

    [Fact]
    public void Single_groups_have_no_index_but_accept_zero()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(704));
        Assert.Equal(65, block.Length);
        Assert.True(block.HasPoint("PFWInj.PF"));
        Assert.True(block.HasPoint("PFWInj[0].PF"));
        Assert.Equal(block.GetOffset("PFWInj.PF"), block.GetOffset("PFWInj[0].PF"));
    }

    [Fact]
    public void Short_L_is_tolerated_and_missing_points_are_not_implemented()
    {
        var model = Catalog.Get(1);
        var full = SunSpecModelBlock.Create(model);
        full.WriteString("Mn", "SunSpecTest");
        full.WriteRaw("DA", 1);
        var registers = full.Registers[..67].ToArray();
        registers[1] = 65;
        var block = SunSpecModelBlock.FromRegisters(model, registers);
        Assert.Equal(65, block.Length);
        Assert.Equal("SunSpecTest", block.Read("Mn").Text);
        Assert.Equal(1, block.Read("DA").Raw);
        Assert.False(block.Read("Pad").IsImplemented);
        Assert.Throws<SunSpecEncodingException>(() => block.WriteRaw("Pad", 0));
    }

    [Fact]
    public void FromRegisters_rejects_the_wrong_model()
    {
        Assert.Throws<SunSpecDecodingException>(() => SunSpecModelBlock.FromRegisters(Catalog.Get(103), new ushort[] { 101, 50 }));
        Assert.Throws<SunSpecDecodingException>(() => SunSpecModelBlock.FromRegisters(Catalog.Get(103), new ushort[] { 103 }));
    }

    [Fact]
    public void Over_shares_memory_with_the_register_map()
    {
        var map = new ushort[100];
        var block = SunSpecModelBlock.Over(Catalog.Get(1), map.AsMemory(10));
        Assert.Equal(1, map[10]);
        Assert.Equal(66, map[11]);
        block.WriteRaw("DA", 7);
        Assert.Equal(7, map[10 + block.GetOffset("DA")]);
        map[10 + block.GetOffset("DA")] = 9;
        Assert.Equal(9, block.Read("DA").Raw);
        var again = SunSpecModelBlock.Over(Catalog.Get(1), map.AsMemory(10));
        Assert.Equal(9, again.Read("DA").Raw);
        Assert.Throws<SunSpecDecodingException>(() => SunSpecModelBlock.Over(Catalog.Get(103), map.AsMemory(10)));
    }

    [Fact]
    public void ReadAll_lists_points_in_order_with_paths()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(705), new Dictionary<string, int> { ["NCrv"] = 1, ["NPt"] = 2 });
        var all = block.ReadAll();
        Assert.Equal("ID", all[0].Path);
        Assert.Equal("L", all[1].Path);
        Assert.Contains(all, p => p.Path == "Crv[0].Pt[1].Var");
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.Offset < pair.Second.Offset));
        Assert.Equal(block.Registers.Length, all[^1].Offset + all[^1].Definition.Size);
    }

    [Fact]
    public void Unknown_paths_throw_a_SunSpec_exception()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(103));
        var ex = Assert.Throws<SunSpecDecodingException>(() => block.Read("Watts"));
        Assert.Contains("Watts", ex.Message, StringComparison.Ordinal);
    }
}
