using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.EdgeAgent.Tests.Dispatch;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

public sealed class SetpointInboxTests
{
    [Fact]
    public async Task An_answer_pushed_out_of_the_full_mqtt_queue_is_counted_and_logged_never_lost_in_silence()
    {
        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var agent = new AgentOptions { SiteId = "site-1" };
        var dispatcher = new SetpointDispatcher(Options.Create(agent), collector.Pinned(), new FakeSiteDevices(), new AgentIdentity("site-1", "boot-1", "0.0.0"),
            TimeProvider.System, NullLogger<SetpointDispatcher>.Instance);
        // Never started: the broker is out of reach, so nothing drains the answers.
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = 1, ClientId = "site-1" });
        var log = new ListLogger();
        var inbox = new SetpointInbox(client, new Topics("nexwatt", "site-1"), dispatcher, log);

        for (var i = 0; i <= SetpointInbox.AckQueueCapacity + 2; i++)
            inbox.QueueAck(new SetpointAck { SetpointId = $"sp-{i}", SiteId = "site-1" });

        Assert.Equal(3, inbox.AcksPushedOut);
        Assert.Equal(["sp-0", "sp-1", "sp-2"], log.Entries.Select(e => e.Message.Split(' ').First(w => w.StartsWith("sp-", StringComparison.Ordinal)).TrimEnd(':', ',')));
    }
}
