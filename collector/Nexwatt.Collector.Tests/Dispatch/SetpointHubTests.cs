using Google.Protobuf;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Tests.Dispatch;

public sealed class SetpointHubTests
{
    [Fact]
    public void A_setpoint_pushed_out_of_a_stalled_streams_full_queue_is_counted_never_dropped_in_silence()
    {
        var hub = new SetpointHub();
        using var stream = hub.Subscribe("site-1");
        for (var i = 0; i <= SetpointHub.StreamCapacity; i++)
            Assert.Equal(1, hub.Publish("site-1", new SignedSetpoint { Setpoint = new Setpoint { SetpointId = $"sp-{i}" }.ToByteString() }));

        Assert.Equal(1, hub.SetpointsPushedOut);
        Assert.True(stream.Reader.TryRead(out var oldestKept));
        Assert.Equal("sp-1", Setpoint.Parser.ParseFrom(oldestKept.Setpoint).SetpointId);
    }
}
