using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>What both ends agree on, from protos/: instants in microseconds and the topics of a site.</summary>
public sealed class WireContractTests
{
    [Fact]
    public void Instants_are_microseconds_since_the_epoch_both_ways_without_rounding()
    {
        var instant = new DateTimeOffset(2026, 12, 4, 1, 2, 3, TimeSpan.Zero).AddTicks(1_234_567); // .1234567 s
        Assert.Equal(1_796_346_123_123_456, WireTime.ToMicroseconds(instant));
        Assert.Equal(instant.AddTicks(-7), WireTime.FromMicroseconds(1_796_346_123_123_456));
        Assert.Equal(0, WireTime.ToMicroseconds(DateTimeOffset.UnixEpoch));
        Assert.Equal(-1, WireTime.ToMicroseconds(DateTimeOffset.UnixEpoch.AddTicks(-10)));
        // Another time zone names the same instant.
        Assert.Equal(WireTime.ToMicroseconds(instant), WireTime.ToMicroseconds(instant.ToOffset(TimeSpan.FromHours(-5))));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void A_garbled_wire_time_is_clamped_to_what_a_date_can_hold_never_thrown(long microseconds)
    {
        var instant = WireTime.FromMicroseconds(microseconds);
        Assert.Equal(microseconds > 0 ? DateTimeOffset.MaxValue.Year : 1, instant.Year);
    }

    [Fact]
    public void A_site_topic_is_built_and_parsed_by_the_one_definition()
    {
        Assert.Equal("nexwatt/v1/site-7/telemetry", SiteTopics.For("nexwatt/v1", "site-7", SiteTopics.Telemetry));
        Assert.Equal("nexwatt/v1/+/acks", SiteTopics.EverySite("nexwatt/v1", SiteTopics.Acks));
        foreach (var leaf in new[] { SiteTopics.Telemetry, SiteTopics.Status, SiteTopics.Setpoints, SiteTopics.Acks })
            Assert.Equal("site-7", SiteTopics.SiteOf("nexwatt/v1", SiteTopics.For("nexwatt/v1", "site-7", leaf), leaf));
    }

    [Theory]
    [InlineData("nexwatt/v1/site-7/status")] // another leaf
    [InlineData("nexwatt/v1//telemetry")] // no site
    [InlineData("nexwatt/v1/a/b/telemetry")] // nested
    [InlineData("nexwatt/v2/site-7/telemetry")] // another prefix
    [InlineData("nexwatt/v1site-7/telemetry")] // prefix without its slash
    [InlineData("nexwatt/v1/site-7telemetry")]
    [InlineData("nexwatt/v1/telemetry")]
    [InlineData("")]
    public void Anything_but_one_sites_topic_of_that_leaf_has_no_site(string topic) =>
        Assert.Null(SiteTopics.SiteOf("nexwatt/v1", topic, SiteTopics.Telemetry));
}
