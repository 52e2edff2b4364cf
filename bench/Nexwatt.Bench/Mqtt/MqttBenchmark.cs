using System.Diagnostics;
using System.Globalization;
using Nexwatt.Bench.Harness;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Mqtt;

/// <summary>
/// `nexwatt-bench mqtt`: QoS 1 publish throughput of 100-byte payloads to one Mosquitto on loopback, in one run:
/// our client (in-flight window 100), MQTTnet 5 (the same window), mosquitto_pub (-l, one message per stdin line,
/// wall time) and Paho (max_inflight_messages_set(100)). Each contender publishes the same number of messages per
/// round; the median of the rounds is reported. Targets: ours above Paho and at least 0.8 × mosquitto_pub.
/// </summary>
internal static class MqttBenchmark
{
    public const double MosquittoPubTarget = 0.8;
    private const int PayloadSize = 100;
    private const int Window = 100;
    private const string Topic = "bench/qos1";

    // mosquitto_pub -l stops at the first PUBACK whose packet id equals its last message's, and ids wrap after
    // 65,535: fed more lines it disconnects early and the broker has received only part of them. So it is run
    // several times on at most this many lines, and each run's connect and disconnect are counted in its time.
    private const int MosquittoPubLines = 50_000;

    public static async Task<bool> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var count = arguments.Messages;
        Progress.Step("mqtt: starting Mosquitto on 127.0.0.1 (free port)");
        await using var broker = await Mosquitto.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var linesFile = Path.Combine(broker.Directory, "lines.txt");
        var line = new string('x', PayloadSize);
        await File.WriteAllLinesAsync(linesFile, Enumerable.Repeat(line, Math.Min(count, MosquittoPubLines)), cancellationToken).ConfigureAwait(false);
        var pahoScript = Path.Combine(AppContext.BaseDirectory, "peers", "paho-mqtt-bench.py");

        var contenders = new (string Name, Func<Task<double>> Run)[]
        {
            ($"Nexwatt MqttClient (3.1.1, window {Window})", () => RunOursAsync(broker.Port, count, cancellationToken)),
            ($"MQTTnet 5.2 (3.1.1, window {Window})", () => MqttNetPublisher.RunAsync(broker.Port, Topic, count, PayloadSize, Window, cancellationToken)),
            ($"mosquitto_pub -q 1 -l (runs of {MosquittoPubLines:N0} lines)", () => RunMosquittoPubAsync(broker.Port, linesFile, count, cancellationToken)),
            ($"paho-mqtt 1.6 (Python, inflight {Window})", () => RunPahoAsync(pahoScript, broker.Port, count, cancellationToken)),
        };
        var rates = contenders.Select(_ => new List<double>()).ToArray();
        Progress.Step($"mqtt: warmup, our client, {Math.Min(count, 20_000)} messages");
        await RunOursAsync(broker.Port, Math.Min(count, 20_000), cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < arguments.Rounds; round++)
        {
            for (var i = 0; i < contenders.Length; i++)
            {
                Progress.Step($"mqtt: round {round + 1}/{arguments.Rounds}: {contenders[i].Name}, {count} x {PayloadSize} B QoS 1");
                var seconds = await contenders[i].Run().ConfigureAwait(false);
                rates[i].Add(count / seconds);
            }
        }

        var medians = rates.Select(Statistics.Median).ToArray();
        var (ours, mosquittoPub, paho) = (medians[0], medians[2], medians[3]);
        var table = new TextTable("client", "msg/s (median)", "rounds", "vs paho", "vs mosquitto_pub");
        for (var i = 0; i < contenders.Length; i++)
            table.Add(contenders[i].Name, medians[i].ToString("N0", CultureInfo.InvariantCulture),
                string.Join(" / ", rates[i].Select(r => r.ToString("N0", CultureInfo.InvariantCulture))),
                (medians[i] / paho).ToString("0.00", CultureInfo.InvariantCulture), (medians[i] / mosquittoPub).ToString("0.00", CultureInfo.InvariantCulture));
        Console.WriteLine($"MQTT QoS 1 publish throughput, {count} messages of {PayloadSize} B per round, Mosquitto 2.0 on loopback, {Environment.ProcessorCount} cores");
        Console.WriteLine(table);
        var beatsPaho = ours > paho;
        var nearMosquittoPub = ours >= MosquittoPubTarget * mosquittoPub;
        Console.WriteLine($"target ours > paho: {(beatsPaho ? "PASS" : "MISS")} ({ours / paho:0.00}x)");
        Console.WriteLine($"target ours >= {MosquittoPubTarget} x mosquitto_pub: {(nearMosquittoPub ? "PASS" : "MISS")} ({ours / mosquittoPub:0.00}x)");
        await MqttAckOrderBenchmark.RunAsync(Math.Min(count, 20_000), cancellationToken).ConfigureAwait(false);
        return beatsPaho && nearMosquittoPub;
    }

    /// <summary>Window workers each publish and await their PUBACK in turn: exactly Window publishes in flight.</summary>
    private static async Task<double> RunOursAsync(int port, int count, CancellationToken cancellationToken)
    {
        await using var client = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ClientId = "nexwatt-bench",
            ProtocolVersion = MqttProtocolVersion.V311,
            CleanStart = true,
            MaxInFlight = Window,
        });
        await client.StartAsync(cancellationToken).ConfigureAwait(false);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            await client.WaitUntilConnectedAsync(timeout.Token).ConfigureAwait(false);
        }
        var payload = new byte[PayloadSize];
        Array.Fill(payload, (byte)'x');
        var remaining = count;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Window).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
                await client.PublishAsync(Topic, payload, MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken).ConfigureAwait(false);
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        await client.StopAsync(cancellationToken).ConfigureAwait(false);
        return seconds;
    }

    /// <summary>Wall time of mosquitto_pub runs that publish <paramref name="count"/> lines in all (connects and disconnects included).</summary>
    private static async Task<double> RunMosquittoPubAsync(int port, string linesFile, int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += MosquittoPubLines)
        {
            var lines = Math.Min(MosquittoPubLines, count - sent);
            var outcome = await ProcessRunner.RunAsync("/bin/sh",
                ["-c", $"head -n {lines} '{linesFile}' | exec /usr/bin/mosquitto_pub -h 127.0.0.1 -p {port} -t {Topic} -q 1 -l"],
                TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            if (outcome.ExitCode != 0) throw new BenchException($"mosquitto_pub exited with {outcome.ExitCode}: {outcome.StandardError}");
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> RunPahoAsync(string script, int port, int count, CancellationToken cancellationToken)
    {
        var outcome = await ProcessRunner.RunAsync(DebianPython.Interpreter,
            ["-u", script, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), Topic, count.ToString(CultureInfo.InvariantCulture), PayloadSize.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(15), cancellationToken).ConfigureAwait(false);
        var elapsed = outcome.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith("ELAPSED ", StringComparison.Ordinal));
        if (outcome.ExitCode != 0 || elapsed is null)
            throw new BenchException($"paho bench failed ({outcome.ExitCode}): {outcome.StandardOutput}{outcome.StandardError} (is python3-paho-mqtt installed?)");
        return double.Parse(elapsed["ELAPSED ".Length..], CultureInfo.InvariantCulture);
    }
}
