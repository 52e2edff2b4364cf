using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.Protocols.Enphase.Tests;

/// <summary>
/// Property tests (FsCheck): random bytes and mutated real captures make every decoder either succeed or throw
/// <see cref="EnphaseFormatException"/> naming the endpoint, never anything else.
/// </summary>
public sealed class FuzzTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(400);

    private static readonly (string File, Action<byte[]> Decode)[] Decoders =
    [
        ("info", b => GatewayInfo.Decode(b)),
        ("ivp_meters", b => MeterConfig.Decode(b)),
        ("ivp_meters_readings", b => MeterReading.Decode(b)),
        ("production.json", b => ProductionJson.Decode(b)),
        ("api_v1_production", b => ApiV1Production.Decode(b)),
        ("api_v1_production_inverters", b => InverterReport.Decode(b)),
        ("ivp_pdm_device_data", b => InverterReport.DecodeDeviceData(b)),
        ("ivp_ensemble_inventory", b => EnchargeBattery.Decode(b)),
        ("ivp_ensemble_power", b => EnsemblePower.Decode(b)),
        ("ivp_ensemble_secctrl", b => SecurityControl.Decode(b)),
        ("admin_lib_tariff", b => TariffDocument.Decode(b)),
        ("production", b => ProductionPage.Decode(b)),
    ];

    private static readonly Gen<byte[]> AnyBytes = Gen.Choose(0, 200).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    // Keys and punctuation of the real shapes, so the generator reaches past the first token.
    private static readonly Gen<byte[]> JsonLike =
        Gen.ArrayOf(Gen.Elements("{", "}", "[", "]", ",", ":", "\"eid\"", "\"devices:\"", "\"activePower\"", "\"wNow\"", "\"type\"", "\"eim\"", "\"channels\"",
            "\"tariff\"", "\"storage_settings\"", "1", "-2.5e3", "null", "true", "\"x\"", "\"serial_num\"", "\"devName\"", "\"pcu\""), 30)
            .Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));

    private static Gen<byte[]> Mutated(byte[] seed) =>
        from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, Math.Max(0, seed.Length - 1)), Gen.Choose(0, 255)), 4)
        from cut in Gen.Choose(0, seed.Length)
        select Mutate(seed, flips, cut);

    private static byte[] Mutate(byte[] seed, (int Index, int Value)[] flips, int length)
    {
        var copy = seed[..length];
        foreach (var (index, value) in flips) if (index < copy.Length) copy[index] = (byte)value;
        return copy;
    }

    public static IEnumerable<object[]> DecoderNames() => Decoders.Select(d => new object[] { d.File });

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Garbage_GivesOnlyFormatErrors(string file)
    {
        var decode = Decoders.Single(d => d.File == file).Decode;
        var seedFolder = Directory.GetDirectories(CapturedGateway.FixturesRoot).First(d => File.Exists(Path.Combine(d, file)) && CapturedGateway.StatusOf(Path.Combine(d, file)) == 200);
        var seed = File.ReadAllBytes(Path.Combine(seedFolder, file));
        Check.One(Quick, Prop.ForAll(Arb.From(Gen.OneOf(AnyBytes, JsonLike, Mutated(seed))), bytes =>
        {
            try { decode(bytes); }
            catch (EnphaseFormatException e) { Assert.False(string.IsNullOrEmpty(e.Endpoint)); }
            return true;
        }));
    }
}
