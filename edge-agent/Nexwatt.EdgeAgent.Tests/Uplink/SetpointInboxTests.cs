using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

public class SetpointInboxTests
{
    private static readonly AgentIdentity Identity = new("site-1", "boot", "0.1.0");

    private static SetpointInbox Inbox()
    {
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", ClientId = "unit-test" });
        return new SetpointInbox(client, new Topics("nexwatt/v1", "site-1"), Identity, new FakeTimeProvider(), NullLogger.Instance);
    }

    private static byte[] Signed(string siteId, string id) => new SignedSetpoint
    {
        Setpoint = new Setpoint { SetpointId = id, SiteId = siteId }.ToByteString(),
        Signature = ByteString.CopyFrom(1, 2, 3),
    }.ToByteArray();

    [Fact]
    public void A_well_formed_setpoint_is_rejected_with_the_reason_and_its_id()
    {
        var ack = Inbox().Answer(Signed("site-1", "sp-42"));
        Assert.Equal("sp-42", ack.SetpointId);
        Assert.Equal(SetpointAck.Types.Result.Rejected, ack.Result);
        Assert.Equal(SetpointInbox.NotSupported, ack.Reason);
        Assert.Equal("site-1", ack.SiteId);
    }

    [Fact]
    public void A_setpoint_for_another_site_is_rejected_as_such()
    {
        var ack = Inbox().Answer(Signed("site-2", "sp-7"));
        Assert.Contains("not this site", ack.Reason);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_escape_as_an_exception()
    {
        var inbox = Inbox();
        var valid = Signed("site-1", "sp-1");
        Prop.ForAll<byte[]>(bytes =>
        {
            var ack = inbox.Answer(bytes ?? []);
            return ack.Result == SetpointAck.Types.Result.Rejected && ack.Reason.Length > 0;
        }).QuickCheckThrowOnFailure();
        Prop.ForAll<int, byte>((position, value) =>
        {
            var mutated = (byte[])valid.Clone();
            mutated[Math.Abs(position % mutated.Length)] = value;
            return inbox.Answer(mutated).Result == SetpointAck.Types.Result.Rejected;
        }).QuickCheckThrowOnFailure();
    }
}
