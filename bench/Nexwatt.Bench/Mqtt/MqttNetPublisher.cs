using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;
using MqttNetVersion = MQTTnet.Formatter.MqttProtocolVersion;

namespace Nexwatt.Bench.Mqtt;

/// <summary>
/// MQTTnet 5 as a publishing contender (bench-only, docs/decisions/0002-mqtt-client-ours.md): the same shape as our
/// client's run, <paramref name="window"/> workers each publishing QoS 1 and awaiting its PUBACK in turn.
/// </summary>
internal static class MqttNetPublisher
{
    public static async Task<double> RunAsync(int port, string topic, int count, int payloadSize, int window, CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("nexwatt-bench-mqttnet")
            .WithProtocolVersion(MqttNetVersion.V311)
            .WithCleanSession(true)
            .Build();
        await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        var payload = new byte[payloadSize];
        Array.Fill(payload, (byte)'x');
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var remaining = count;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, window).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                if (!result.IsSuccess) throw new InvalidOperationException($"MQTTnet publish refused: {result.ReasonCode}");
            }
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        await client.DisconnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return seconds;
    }
}
