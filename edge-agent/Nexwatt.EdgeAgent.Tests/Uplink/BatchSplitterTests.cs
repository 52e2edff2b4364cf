using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>
/// The splitter behind the uplink's size limit (FsCheck 3.6): for any readings, gaps and limit, every part encodes within
/// the limit, the parts carry every reading and gap once and in order with the batch's header, and only an item that
/// alone exceeds the limit is set apart.
/// </summary>
public sealed class BatchSplitterTests
{
    private static readonly Gen<Reading> AnyReading =
        from sequence in Gen.Choose(1, int.MaxValue)
        from point in Gen.Elements("W", "A", "module[1].DCV", new string('p', 300))
        from text in Gen.Elements("", "", "OFF", new string('t', 2000))
        select new Reading { Sequence = (ulong)sequence, DeviceId = "inverter", ModelId = 103, Point = point, Text = text, Value = sequence / 7.0, SourceTimeUs = 1_780_000_000_000_000 + sequence };

    private static readonly Gen<Gap> AnyGap =
        from first in Gen.Choose(1, 1000)
        from devices in Gen.Choose(0, 40)
        select new Gap { FirstSequence = (ulong)first, LastSequence = (ulong)first + 10, ReadingsLost = 10, DeviceIds = { Enumerable.Range(0, devices).Select(d => $"device-{d}") } };

    private static readonly Arbitrary<(TelemetryBatch Batch, int Limit)> Cases = (
        from readings in Gen.ListOf(AnyReading)
        from gaps in Gen.ListOf(AnyGap).Select(g => g.Take(5))
        from limit in Gen.Choose(200, 20_000)
        select (Batch(readings.OrderBy(r => r.Sequence), gaps), limit)).ToArbitrary();

    private static TelemetryBatch Batch(IEnumerable<Reading> readings, IEnumerable<Gap> gaps)
    {
        var batch = new TelemetryBatch { SiteId = "site-1", AgentBootId = "boot", Historical = true, SentTimeUs = 1_780_000_000_000_000 };
        batch.Readings.AddRange(readings);
        batch.Gaps.AddRange(gaps);
        if (batch.Readings.Count > 0) (batch.FirstSequence, batch.LastSequence) = (batch.Readings[0].Sequence, batch.Readings[^1].Sequence);
        return batch;
    }

    [Fact]
    public void Parts_fit_the_limit_and_carry_every_item_once_in_order()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Cases, c =>
        {
            var (batch, limit) = c;
            var result = BatchSplitter.Split(batch, limit);
            Assert.All(result.Parts, p => Assert.True(p.CalculateSize() <= limit, $"a part of {p.CalculateSize()} bytes for a limit of {limit}"));
            Assert.All(result.Parts, p => Assert.Equal((batch.SiteId, batch.AgentBootId, batch.Historical, batch.SentTimeUs), (p.SiteId, p.AgentBootId, p.Historical, p.SentTimeUs)));
            Assert.All(result.Parts.Where(p => p.Readings.Count > 0), p => Assert.Equal((p.Readings[0].Sequence, p.Readings[^1].Sequence), (p.FirstSequence, p.LastSequence)));
            var sent = result.Parts.SelectMany(p => p.Readings).ToList();
            Assert.Equal(batch.Readings.Where(r => !result.OversizedReadings.Contains(r)), sent);
            Assert.Equal(batch.Gaps.Where(g => !result.OversizedGaps.Contains(g)), result.Parts.SelectMany(p => p.Gaps));
            Assert.All(result.OversizedReadings, r => Assert.True(Batch([r], []).CalculateSize() > limit));
            return true;
        }));
    }

    [Fact]
    public void A_batch_within_the_limit_goes_as_it_is()
    {
        var batch = Batch([new Reading { Sequence = 1, DeviceId = "d", Point = "W", SourceTimeUs = 1 }], []);
        Assert.Same(batch, Assert.Single(BatchSplitter.Split(batch, 1000).Parts));
    }

    [Theory]
    [InlineData(4095, false)]
    [InlineData(4096, true)]
    [InlineData(262_144, true)]
    [InlineData(4 * 1024 * 1024, true)]
    [InlineData(4 * 1024 * 1024 + 1, false)]
    public void The_mqtt_message_size_is_checked_at_start(int maxMessageBytes, bool accepted)
    {
        var problems = new List<string>();
        UplinkOptionsChecks.AddProblems(new UplinkOptions { Mqtt = new MqttUplinkOptions { Enabled = true, Host = "127.0.0.1", MaxMessageBytes = maxMessageBytes } }, problems);
        Assert.Equal(accepted, !problems.Any(p => p.Contains("MaxMessageBytes", StringComparison.Ordinal)));
    }
}
