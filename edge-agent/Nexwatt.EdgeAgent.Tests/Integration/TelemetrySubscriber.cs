using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>The paho subscriber (peers/paho_telemetry_subscriber.py) and the JSON lines it printed.</summary>
internal sealed class TelemetrySubscriber : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly string _protoDirectory;

    private TelemetrySubscriber(PeerProcess process, string protoDirectory)
    {
        _process = process;
        _protoDirectory = protoDirectory;
    }

    public string Log => _process.Log;

    public static async Task<TelemetrySubscriber> StartAsync(int brokerPort, string clientId = "test-subscriber")
    {
        var protoDirectory = Directory.CreateTempSubdirectory("nexwatt-proto-py-").FullName;
        await ProtoPython.GenerateAsync(protoDirectory);
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "paho_telemetry_subscriber.py");
        var process = DebianPython.Start(script, brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), protoDirectory, clientId);
        try { await process.WaitForLineAsync(l => l == "SUBSCRIBED", TimeSpan.FromSeconds(30)); }
        catch { await process.DisposeAsync(); throw; }
        return new TelemetrySubscriber(process, protoDirectory);
    }

    /// <summary>Every JSON object printed so far, of one kind.</summary>
    public IReadOnlyList<JsonElement> Lines(string kind) => _process.Log.Split('\n')
        .Where(l => l.StartsWith('{'))
        .Select(l => JsonDocument.Parse(l).RootElement.Clone())
        .Where(e => e.GetProperty("kind").GetString() == kind)
        .ToList();

    public Task WaitForAsync(Func<string, bool> line, TimeSpan timeout) => _process.WaitForLineAsync(line, timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { Directory.Delete(_protoDirectory, recursive: true); } catch (IOException) { }
    }
}
