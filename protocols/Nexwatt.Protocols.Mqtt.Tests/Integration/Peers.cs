using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Integration;

/// <summary>Independent MQTT peers: mosquitto_sub / mosquitto_pub (libmosquitto) and Eclipse Paho (Python).</summary>
internal static class Peers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string VersionArgument(MqttProtocolVersion version) => version == MqttProtocolVersion.V500 ? "mqttv5" : "mqttv311";

    /// <summary>mosquitto_sub in debug mode, returned once its SUBACK arrived; it exits after <paramref name="count"/> messages.</summary>
    public static async Task<PeerProcess> MosquittoSubAsync(Mosquitto broker, string topic, int count, MqttProtocolVersion version = MqttProtocolVersion.V311, params string[] extra)
    {
        // stdbuf: mosquitto_sub's stdout is block-buffered into a pipe; line buffering shows SUBACK and messages as they come.
        var sub = PeerProcess.Start("/usr/bin/stdbuf",
            new[] { "-oL", "/usr/bin/mosquitto_sub", "-h", broker.Host, "-p", broker.Port.ToString(), "-t", topic, "-q", "1", "-C", count.ToString(), "-v", "-d", "-V", VersionArgument(version) }.Concat(extra));
        try
        {
            await sub.WaitForLineAsync(l => l.Contains("SUBACK", StringComparison.Ordinal), Timeout);
            return sub;
        }
        catch
        {
            await sub.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs mosquitto_pub once (QoS 1) and fails with its log unless it exits 0.</summary>
    public static async Task MosquittoPubAsync(Mosquitto broker, string topic, string message, MqttProtocolVersion version = MqttProtocolVersion.V311, bool retain = false)
    {
        var arguments = new List<string> { "-h", broker.Host, "-p", broker.Port.ToString(), "-t", topic, "-m", message, "-q", "1", "-V", VersionArgument(version) };
        if (retain) arguments.Add("-r");
        await using var pub = PeerProcess.Start("/usr/bin/mosquitto_pub", arguments);
        var code = await pub.WaitForExitAsync(Timeout);
        Assert.True(code == 0, $"mosquitto_pub exited with {code}: {pub.Log}");
    }

    public static string PahoScript => Path.Combine(AppContext.BaseDirectory, "peers", "paho_peer.py");

    /// <summary>Lines "topic payload" that a mosquitto_sub -v printed.</summary>
    public static IReadOnlyList<string> Received(PeerProcess sub) => sub.Log.Split('\n')
        .Select(l => l.TrimEnd('\r'))
        .Where(l => l.Length > 0 && !l.StartsWith("Client ", StringComparison.Ordinal) && !l.StartsWith("Subscribed", StringComparison.Ordinal))
        .ToList();
}
