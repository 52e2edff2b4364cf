using FsCheck;
using FsCheck.Fluent;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Data.Sqlite;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>
/// Property tests (FsCheck 3.6): no payload bytes, random or a valid chunk with bytes flipped and cut, can make the
/// chunk decoder throw; and stored through the buffer, a damaged payload is skipped and reported, never fatal.
/// </summary>
public sealed class ChunkCodecPropertyTests : IDisposable
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(2000);
    private static readonly Gen<byte[]> AnyBytes = Gen.Choose(0, 400).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
    private static readonly byte[] Valid = ChunkCodec.Encode(TempFolder.Readings(5), "dev");

    private static readonly Gen<byte[]> Mutated =
        from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, Valid.Length - 1), Gen.Choose(0, 255)), 3)
        from cut in Gen.Choose(0, Valid.Length + 4)
        select Mutate(flips, cut);

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Mutate((int Index, int Value)[] flips, int length)
    {
        var copy = new byte[length];
        Array.Copy(Valid, copy, Math.Min(length, Valid.Length));
        foreach (var (index, value) in flips) if (index < copy.Length) copy[index] = (byte)value;
        return copy;
    }

    [Fact]
    public void Decoding_any_bytes_never_throws_and_a_success_gives_every_reading_a_device_id()
    {
        Check.One(Quick, Prop.ForAll(Arb.From(Gen.OneOf(AnyBytes, Mutated)), bytes =>
            !ChunkCodec.TryDecode(bytes, "dev", out var readings) || readings.All(r => r.DeviceId.Length > 0)));
    }

    [Fact]
    public void Encode_then_decode_gives_the_readings_back_and_leaves_the_callers_objects_unchanged()
    {
        var readings = TempFolder.Readings(3);
        foreach (var r in readings) r.DeviceId = "inverter";
        var payload = ChunkCodec.Encode(readings, "inverter");
        Assert.All(readings, r => Assert.Equal("inverter", r.DeviceId));
        Assert.True(ChunkCodec.TryDecode(payload, "inverter", out var decoded));
        Assert.Equal(readings, decoded);
    }

    [Fact]
    public void A_reading_of_another_device_in_the_chunk_keeps_its_own_id()
    {
        // An Enphase gateway's poll carries its sub-meters and batteries under their own ids.
        var readings = TempFolder.Readings(3);
        readings[0].DeviceId = "envoy";
        readings[1].DeviceId = "envoy/production";
        readings[2].DeviceId = "envoy/battery/1";
        Assert.True(ChunkCodec.TryDecode(ChunkCodec.Encode(readings, "envoy"), "envoy", out var decoded));
        Assert.Equal(["envoy", "envoy/production", "envoy/battery/1"], decoded.Select(r => r.DeviceId));
        Assert.True(ChunkCodec.Encode(readings, "envoy").Length < ChunkCodec.Encode(readings, "other").Length);
    }

    [Fact]
    public async Task Random_payload_rows_in_the_store_are_skipped_and_reported_never_fatal()
    {
        var payloads = Gen.Sample(Gen.OneOf(AnyBytes, Mutated), 60).Where(p => p.Length > 0).ToArray();
        var ids = new List<long>();
        await using (var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, new ListLogger()))
            for (var i = 0; i < payloads.Length; i++) ids.Add((await buffer.AppendAsync("dev", TempFolder.Readings(5), CancellationToken.None)).Id);
        using (var db = SqliteDatabase.Open(_folder.DatabasePath, readOnly: false))
            for (var i = 0; i < payloads.Length; i++)
                db.Execute($"UPDATE chunks SET payload = x'{Convert.ToHexString(payloads[i])}' WHERE id = {ids[i]}");

        var log = new ListLogger();
        await using var reopened = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, log);
        var read = await reopened.ReadAsync(0, ulong.MaxValue, int.MaxValue, CancellationToken.None);
        var gaps = await reopened.ReadGapsAsync(CancellationToken.None);

        // Every row is either returned (its bytes happened to decode) or dropped with a gap; nothing is lost silently.
        Assert.Equal(payloads.Length, read.Count + gaps.Count);
        Assert.Equal(gaps.Count, log.Entries.Count(e => e.Id.Id == 2307));
        await reopened.AppendAsync("dev", TempFolder.Readings(1), CancellationToken.None);
    }
}
