using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Nexwatt.Collector.Ingest;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>
/// Fuzz of the collector's gRPC ingest path, against the real host in process: generated and mutated request bodies
/// (flipped bytes, cut frames, lying length prefixes, compressed flags with and without gzip, gzip bombs, random bytes)
/// on the upload and setpoint methods, from a registered site. The collector never fails a call with Unknown (a
/// handler crash), stays up, keeps its memory bounded, and counts every message refusal and logs it (a line, or a
/// count in a later line when rate-limited).
/// </summary>
public sealed partial class GrpcIngestFuzzTests
{
    private const string Upload = "/nexwatt.v1.TelemetryIngest/Upload";
    private const string Setpoints = "/nexwatt.v1.SiteDispatch/StreamSetpoints";

    private enum Shape { Valid, Flipped, Truncated, LyingLength, CompressedFlagOnly, Gzipped, GzipBomb, RandomBytes }

    private sealed record Case(bool OnUpload, Shape Shape, int Seed);

    private static readonly Gen<Case> Cases =
        from upload in Gen.Elements(true, false)
        from shape in Gen.Elements(Enum.GetValues<Shape>())
        from seed in Gen.Choose(0, int.MaxValue)
        select new Case(upload, shape, seed);

    private static (byte[] Body, bool Gzip) Build(Case c)
    {
        var random = new Random(c.Seed);
        byte[] message = c.OnUpload
            ? CollectorServer.Batch(null, "inverter", (ulong)random.Next(1, 1_000_000), random.Next(0, 20), random.Next(-5000, 5000), DateTimeOffset.UtcNow.AddMinutes(-random.Next(0, 60))).ToByteArray()
            : new SetpointStreamRequest { AgentBootId = $"boot-{random.Next()}" }.ToByteArray();
        switch (c.Shape)
        {
            case Shape.Valid:
                return (RawGrpc.Frame(message), false);
            case Shape.Flipped:
                var flipped = RawGrpc.Frame(message);
                for (var i = 0; i < 1 + random.Next(6); i++) flipped[5 + random.Next(Math.Max(1, flipped.Length - 5)) % Math.Max(1, flipped.Length - 5)] ^= (byte)(1 << random.Next(8));
                if (flipped.Length <= 5) flipped = [.. flipped, 0xFF];
                return (flipped, false);
            case Shape.Truncated:
                var whole = RawGrpc.Frame(message);
                return (whole[..random.Next(1, whole.Length)], false);
            case Shape.LyingLength:
                return (RawGrpc.Frame(message, declaredLength: random.Next(2) == 0 ? message.Length + 1 + random.Next(1000) : random.Next(5_000_000, int.MaxValue)), false);
            case Shape.CompressedFlagOnly:
                return (RawGrpc.Frame(message, compressed: true), false);
            case Shape.Gzipped:
                var gz = RawGrpc.Gzip(message);
                if (random.Next(2) == 0) gz[random.Next(gz.Length)] ^= 0x55;
                return (RawGrpc.Frame(gz, compressed: true), true);
            case Shape.GzipBomb:
                return (RawGrpc.Frame(Bomb, compressed: true), true);
            default:
                var bytes = new byte[random.Next(1, 400)];
                random.NextBytes(bytes);
                return (bytes, random.Next(2) == 0);
        }
    }

    // 32 MiB of zeros: about 32 KB gzipped, eight times the collector's 4 MiB message limit.
    private static readonly byte[] Bomb = RawGrpc.Gzip(new byte[32 << 20]);

    [Fact]
    public async Task Generated_and_mutated_messages_never_crash_never_grow_memory_and_every_refusal_is_counted_and_logged()
    {
        var logs = new CollectedLogs();
        await using var server = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Collector:Connections:MaxSetpointStreamsPerSite"] = "1000",
            ["Collector:Connections:MaxUploadStreamsPerSite"] = "1000",
        }, logs: logs);
        var token = await server.RegisterSiteWithAssetAsync("site-f", "pv-f", "inverter");
        using var raw = new RawGrpc(server.GrpcPort);
        var refusals = server.Service<GrpcMessageRefusals>();

        // Warm up (JIT, pools), then measure the managed heap across the run.
        for (var i = 0; i < 20; i++) await raw.CallAsync(Upload, token, Build(new Case(true, (Shape)(i % 8), i)).Body, i % 8 >= 5);
        var baseRefused = refusals.Total;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var refusedByStatus = 0;
        var statuses = new Dictionary<int, int>();
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var (body, gzip) = Build(c);
            var status = raw.CallAsync(c.OnUpload ? Upload : Setpoints, token, body, gzip, openFor: TimeSpan.FromMilliseconds(300)).GetAwaiter().GetResult();
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.NotEqual(2, status); // Unknown: a handler threw
            Assert.NotEqual(-2, status); // ended without a status
            // OK, a stream still open, PermissionDenied (a mutated site id) or a message refusal; nothing else.
            Assert.Contains(status, new[] { -1, 0, 7, 8, 13 });
            if (status is 8 or 13) refusedByStatus++;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(heapAfter - heapBefore < 48L << 20, $"managed heap grew by {(heapAfter - heapBefore) >> 20} MiB");

        // Still serving: a valid upload is stored.
        var ack = Assert.Single(await server.UploadAsync(token, CollectorServer.Batch(null, "inverter", 9_000_001, 2, 1, DateTimeOffset.UtcNow)));
        Assert.Equal(UploadAck.Types.Status.Stored, ack.Status);

        // Every refusal the clients saw was counted. A call the client gave up on after 300 ms (-1) may still have been
        // refused by the server just before the reset reached it (seen on a loaded machine): counted, never heard.
        Assert.True(refusedByStatus > 50, $"too few refusals generated: {string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"))}");
        var counted = refusals.Total - baseRefused;
        Assert.InRange(counted, refusedByStatus, refusedByStatus + statuses.GetValueOrDefault(-1));
        // ... and logged: each one is a line, or is counted in a later line, or is still held back for the next.
        var lines = logs.Lines.Where(l => l.Contains("[5090]", StringComparison.Ordinal)).ToList();
        var reportedHeld = lines.Sum(l => int.Parse(HeldBack().Match(l).Groups[1].Value));
        Assert.Equal(refusals.Total, lines.Count + reportedHeld + refusals.HeldBack);
        Assert.All(lines, l => Assert.Contains("from site site-f", l));
    }

    [GeneratedRegex(@"; (\d+) earlier refusal")]
    private static partial Regex HeldBack();
}
