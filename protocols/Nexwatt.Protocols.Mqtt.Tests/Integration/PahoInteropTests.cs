using System.Text;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Integration;

/// <summary>Interop with Eclipse Paho (Python), an independent client implementation, through Mosquitto.</summary>
public sealed class PahoInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Paho_receives_our_publishes(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var paho = DebianPython.Start(Peers.PahoScript, "subscribe", broker.Host, broker.Port.ToString(), "nx/paho/#", "5",
            version == MqttProtocolVersion.V500 ? "5" : "311");
        await paho.WaitForLineAsync(l => l == "READY", Timeout);
        await using var client = MosquittoClientTests.NewClient(broker.Port, version, new ListLogger());
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        for (var i = 0; i < 5; i++)
            await client.PublishAsync($"nx/paho/{i}", Encoding.UTF8.GetBytes($"ours-{i}"), i % 2 == 0 ? MqttQualityOfService.AtLeastOnce : MqttQualityOfService.AtMostOnce);
        Assert.Equal(0, await paho.WaitForExitAsync(Timeout));
        for (var i = 0; i < 5; i++) Assert.Contains($"MSG nx/paho/{i} {(i % 2 == 0 ? 1 : 0)} ours-{i}", paho.Log);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task We_receive_pahos_publishes(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var client = MosquittoClientTests.NewClient(broker.Port, version, new ListLogger());
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        await client.SubscribeAsync("nx/from-paho", MqttQualityOfService.AtLeastOnce, CancellationToken.None).WaitAsync(Timeout);

        await using var paho = DebianPython.Start(Peers.PahoScript, "publish", broker.Host, broker.Port.ToString(), "nx/from-paho", "10",
            version == MqttProtocolVersion.V500 ? "5" : "311");
        Assert.Equal(0, await paho.WaitForExitAsync(Timeout));
        var payloads = new List<string>();
        for (var i = 0; i < 10; i++) payloads.Add(Encoding.UTF8.GetString((await client.Messages.ReadAsync().AsTask().WaitAsync(Timeout)).Payload.Span));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"paho-{i}"), payloads);
    }
}
