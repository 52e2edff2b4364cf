using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Nexwatt.Protocols.SunSpec.Tests;

/// <summary>Oracle (d): random register content and encode/decode round trips.</summary>
public sealed class PropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    public static TheoryData<int> ModelIds() => new(SunSpecModelCatalog.LoadBuiltIn().Models.Select(m => (int)m.Id));

    /// <summary>Random registers behind a valid ID: decoding may reject (SunSpecException) but never crash.</summary>
    [Theory]
    [MemberData(nameof(ModelIds))]
    public void Decoding_random_registers_throws_only_SunSpec_exceptions(int id)
    {
        var model = SunSpecModelCatalog.LoadBuiltIn().Get((ushort)id);
        var word = Gen.OneOf(Gen.Choose(0, 0xFFFF), Gen.Elements(0, 1, 2, 3, 0x8000, 0xFFFF, 0x7FC0));
        var gen =
            from length in Gen.Choose(0, model.FixedLength + 160)
            from words in Gen.ArrayOf(word, length)
            from keepId in Gen.Elements(true, true, true, false)
            from lengthMode in Gen.Choose(0, 2)
            from order in Gen.Elements(SunSpecWordOrder.HighWordFirst, SunSpecWordOrder.LowWordFirst)
            select (Registers: Fix(words.Select(w => (ushort)w).ToArray(), model.Id, keepId, lengthMode), Order: order);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            try
            {
                var block = SunSpecModelBlock.FromRegisters(model, input.Registers, input.Order);
                // Every point decodes and prints; reading one by its path gives what reading them all gave.
                foreach (var point in block.ReadAll())
                {
                    var alone = block.Read(point.Path);
                    Assert.Equal((point.Value.IsImplemented, point.Value.Raw, point.Value.Value, point.Value.ToString()), (alone.IsImplemented, alone.Raw, alone.Value, alone.ToString()));
                }
            }
            catch (SunSpecException)
            {
            }
        }).Check(Quick);
    }

    private static ushort[] Fix(ushort[] registers, ushort id, bool keepId, int lengthMode)
    {
        if (registers.Length >= 1 && keepId) registers[0] = id;
        if (registers.Length >= 2 && lengthMode == 0) registers[1] = (ushort)(registers.Length - 2);
        return registers;
    }

    private static readonly SunSpecModelDefinition Scaled = SunSpecModelCatalog.Parse("""
        {"id": 64100, "group": {"name": "scaled", "type": "group", "points": [
          {"name": "ID", "type": "uint16", "size": 1}, {"name": "L", "type": "uint16", "size": 1},
          {"name": "SF", "type": "sunssf", "size": 1},
          {"name": "i16", "type": "int16", "size": 1, "sf": "SF", "access": "RW"},
          {"name": "u16", "type": "uint16", "size": 1, "sf": "SF", "access": "RW"},
          {"name": "a16", "type": "acc16", "size": 1, "sf": "SF", "access": "RW"},
          {"name": "i32", "type": "int32", "size": 2, "sf": "SF", "access": "RW"},
          {"name": "u32", "type": "uint32", "size": 2, "sf": "SF", "access": "RW"},
          {"name": "a32", "type": "acc32", "size": 2, "sf": "SF", "access": "RW"},
          {"name": "i64", "type": "int64", "size": 4, "sf": "SF", "access": "RW"},
          {"name": "u64", "type": "uint64", "size": 4, "sf": "SF", "access": "RW"},
          {"name": "a64", "type": "acc64", "size": 4, "sf": "SF", "access": "RW"},
          {"name": "cnt", "type": "count", "size": 1, "access": "RW"},
          {"name": "e16", "type": "enum16", "size": 1, "access": "RW"},
          {"name": "e32", "type": "enum32", "size": 2, "access": "RW"},
          {"name": "b16", "type": "bitfield16", "size": 1, "access": "RW"},
          {"name": "b32", "type": "bitfield32", "size": 2, "access": "RW"},
          {"name": "f32", "type": "float32", "size": 2, "access": "RW"},
          {"name": "f64", "type": "float64", "size": 4, "access": "RW"}]}}
        """, "scaled-test-model");

    private static readonly (string Name, long Min, long Max)[] Integers =
    [
        ("i16", short.MinValue + 1, short.MaxValue), ("u16", 0, ushort.MaxValue - 1), ("a16", 1, ushort.MaxValue),
        ("i32", int.MinValue + 1L, int.MaxValue), ("u32", 0, uint.MaxValue - 1L), ("a32", 1, uint.MaxValue),
        // 64-bit values beyond 15 significant digits do not survive a double; the range is limited on purpose.
        ("i64", -99_999_999_999_999, 99_999_999_999_999), ("u64", 0, 99_999_999_999_999), ("a64", 1, 99_999_999_999_999),
        ("cnt", 0, ushort.MaxValue - 1), ("e16", 0, ushort.MaxValue - 1), ("e32", 0, uint.MaxValue - 1L),
        ("b16", 0, ushort.MaxValue - 1), ("b32", 0, uint.MaxValue - 1L),
    ];

    [Fact]
    public void Scaled_integers_round_trip_for_every_type_and_scale_factor()
    {
        var gen =
            from index in Gen.Choose(0, Integers.Length - 1)
            from sf in Gen.Choose(-10, 10)
            from fraction in Gen.Choose(0, 1_000_000)
            from edge in Gen.Choose(0, 4)
            from order in Gen.Elements(SunSpecWordOrder.HighWordFirst, SunSpecWordOrder.LowWordFirst)
            let t = Integers[index]
            let raw = edge switch { 0 => t.Min, 1 => t.Max, _ => t.Min + (long)((decimal)(t.Max - t.Min) * fraction / 1_000_000m) }
            select (t.Name, Sf: sf, Raw: raw, Order: order);
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var block = SunSpecModelBlock.Over(Scaled, new ushort[2 + Scaled.FixedLength], wordOrder: c.Order);
            block.WriteRaw("SF", c.Sf);
            block.WriteRaw(c.Name, c.Raw);
            var value = block.Read(c.Name);
            var label = $"{c.Name} raw {c.Raw} sf {c.Sf} order {c.Order} -> {value}";
            Assert.True(value.IsImplemented && value.Raw == c.Raw, label);
            // Write the decoded engineering value back: the same raw must come out.
            block.WriteNotImplemented(c.Name);
            block.WriteScaled(c.Name, value.Value!.Value);
            var again = block.Read(c.Name);
            var encoded = SunSpecPointEncoder.EncodeForWrite(block.GetDefinition(c.Name), value.Value!.Value,
                Scaled.Group.FindPoint(c.Name)!.ScaleFactor is null ? null : (short)c.Sf, c.Order);
            var inBlock = block.Registers.Slice(block.GetOffset(c.Name), encoded.Length).ToArray();
            Assert.True(again.Raw == c.Raw, label + $" -> {again.Raw}");
            Assert.Equal(encoded, inBlock);
        }).Check(Quick);
    }

    [Fact]
    public void Scaled_values_print_as_decimals()
    {
        var gen = from raw in Gen.Choose(-32767, 32767) from sf in Gen.Choose(-4, 0) select (raw, sf);
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var block = SunSpecModelBlock.Over(Scaled, new ushort[2 + Scaled.FixedLength]);
            block.WriteRaw("SF", c.sf);
            block.WriteRaw("i16", c.raw);
            var printed = block.Read("i16").Value!.Value.ToString(CultureInfo.InvariantCulture);
            var expected = (c.raw / (decimal)Math.Pow(10, -c.sf)).ToString(CultureInfo.InvariantCulture);
            if (expected.Contains('.', StringComparison.Ordinal)) expected = expected.TrimEnd('0').TrimEnd('.');
            Assert.Equal(expected, printed);
        }).Check(Quick);
    }

    [Fact]
    public void Floats_round_trip()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<NormalFloat>(), f =>
        {
            var block = SunSpecModelBlock.Over(Scaled, new ushort[2 + Scaled.FixedLength]);
            block.WriteFloat("f64", f.Get);
            Assert.Equal(f.Get, block.Read("f64").Value);
            if (Math.Abs(f.Get) < float.MaxValue)
            {
                block.WriteFloat("f32", f.Get);
                Assert.Equal((float)f.Get, block.Read("f32").Value);
            }
        }).Check(Quick);
    }
}
