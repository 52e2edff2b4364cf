using FsCheck;
using FsCheck.Fluent;

namespace Nexwatt.Protocols.RegisterMaps.Tests;

/// <summary>Random input never crashes the parser or the decoder: bad files become <see cref="RegisterMapException"/>.</summary>
public sealed class FuzzTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(400);

    [Fact]
    public void A_mutated_map_is_either_valid_or_a_RegisterMapException_with_positions()
        => Prop.ForAll(Mutations(TestMaps.Battery, "", "\"", "{", "}", "[", "]", ",", ":", "-1", "0x", "70000", "null", "\"x\"", "true", "1e400", "\n").ToArbitrary(),
            text => ParsesOrExplains(() => TestMaps.Parse(text), text)).Check(Quick);

    [Fact]
    public void A_mutated_YAML_map_is_either_valid_or_a_RegisterMapException()
        => Prop.ForAll(Mutations(YamlTests.Battery, "", ":", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "\n  ", "\t", "'", "\"", "0x", "-1", "~", "? ", "!!int ").ToArbitrary(),
            text => ParsesOrExplains(() => RegisterMapParser.ParseYaml("fuzz.yaml", text, TestMaps.Units), text)).Check(Quick);

    /// <summary>The source with one to four random cuts and insertions of the given fragments.</summary>
    private static Gen<string> Mutations(string source, params string[] fragments) =>
        from count in Gen.Choose(1, 4)
        from edits in Gen.ArrayOf(
            from at in Gen.Choose(0, source.Length - 1)
            from length in Gen.Choose(0, 6)
            from text in Gen.Elements(fragments)
            select (at, length, text), count)
        select edits.Aggregate(source, (text, edit) =>
        {
            var start = Math.Min(edit.at, text.Length);
            return text[..start] + edit.text + text[Math.Min(text.Length, start + edit.length)..];
        });

    private static void ParsesOrExplains(Func<RegisterMap> parse, string text)
    {
        try
        {
            parse();
        }
        catch (RegisterMapException ex)
        {
            Assert.NotEmpty(ex.Problems);
            Assert.All(ex.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{ex}\n--- input ---\n{text}");
        }
    }

    [Fact]
    public void Random_registers_decode_to_a_value_for_every_type_and_order()
    {
        var types = Enum.GetValues<PointType>();
        var gen =
            from type in Gen.Elements(types)
            from words in Gen.Elements(WordOrder.HighFirst, WordOrder.LowFirst)
            from bytes in Gen.Elements(ByteOrder.BigEndian, ByteOrder.LittleEndian)
            from registers in Gen.ArrayOf(Gen.Choose(0, 0xFFFF).Select(v => (ushort)v), 8)
            select (type, words, bytes, registers);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var point = new RegisterPoint("p", 0, RegisterKind.Holding, input.type, input.type == PointType.String ? 8 : 0, input.words, input.bytes,
                0.1, null, null, [NotAvailableValue.NaN], null, 1, null, null, 1, true);
            var value = PointCodec.Decode(point, input.registers);
            if (value.Kind == PointValueKind.Number)
            {
                Assert.True(double.IsFinite(value.Number));
                if (input.type is not (PointType.Float32 or PointType.Float64 or PointType.Int64 or PointType.UInt64))
                {
                    // Integers round-trip exactly through encode.
                    var again = new ushort[point.Count];
                    PointCodec.Encode(point, value.Number, again);
                    Assert.Equal(input.registers[..point.Count], again);
                }
            }
        }).Check(Quick);
    }
}
