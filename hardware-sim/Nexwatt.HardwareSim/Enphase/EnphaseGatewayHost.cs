using System.Globalization;
using Nexwatt.HardwareSim.Physics;
using Nexwatt.HardwareSim.Simulation;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// Runs <c>serve --enphase</c>: builds the content (simulated site or captures), starts the gateway, writes the token
/// files, prints <c>READY enphase endpoint=https://127.0.0.1:PORT firmware=7.6.175 serial=… auth=jwt
/// fingerprint=…</c> and <c>READY all</c>, then serves until cancelled.
/// </summary>
internal static class EnphaseGatewayHost
{
    public const int StartFailed = 3;

    /// <summary>Builds and starts a gateway (tests call this in process).</summary>
    public static async Task<EnphaseGatewayServer> StartAsync(EnphaseGatewayPlan plan, TimeProvider time, Action<string> log, CancellationToken cancellationToken)
    {
        IGatewayContent content;
        if (plan.CapturesDirectory is { } captures) content = new CaptureReplayContent(captures);
        else
        {
            var clock = new SimulationClock(time, plan.StartTime ?? time.GetUtcNow(), plan.ClockSpeed);
            var model = new GatewayModel(new GatewayModelOptions(plan.Serial, Batteries: plan.Batteries), clock, new ClearSky(plan.LatitudeDegrees, plan.LongitudeDegrees), time);
            content = new SimulatedGatewayContent(plan.Generation, model, plan.Faults, log);
        }
        var server = new EnphaseGatewayServer(content, plan.Faults, time, plan.InstallerPassword, plan.Seed, log);
        try
        {
            await server.StartAsync(plan.Address, plan.Port, cancellationToken).ConfigureAwait(false);
            if (plan.TokenDirectory is { } tokens && server.Generation.UsesTokens) server.Tokens.WriteFiles(tokens);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static string ReadyLine(EnphaseGatewayServer server, string? tokenDirectory)
    {
        var c = CultureInfo.InvariantCulture;
        var endpoint = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var auth = server.Generation.UsesTokens ? "jwt" : "digest";
        var line = string.Create(c, $"READY enphase endpoint={endpoint} firmware={server.Generation.Version} serial={server.Serial} auth={auth}");
        if (server.Certificate is { } certificate) line += " fingerprint=" + certificate.Fingerprint;
        if (tokenDirectory is not null && server.Generation.UsesTokens) line += " tokens=" + tokenDirectory;
        return line;
    }

    public static async Task<int> RunAsync(EnphaseGatewayPlan plan, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        EnphaseGatewayServer server;
        // Kestrel's own log is off: the simulator writes one plain line per event a test may wait for.
        void Log(string line) { lock (output) output.WriteLine(line); }
        try { server = await StartAsync(plan, TimeProvider.System, Log, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Xml.XmlException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"ERROR cannot serve the Enphase gateway on {plan.Address}:{plan.Port}: {ex.Message}").ConfigureAwait(false);
            return StartFailed;
        }
        await using (server.ConfigureAwait(false))
        {
            Log(ReadyLine(server, plan.TokenDirectory));
            Log(Hosting.ReadyLine.AllReady);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            try { await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            Log("STOPPING");
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return 0;
    }
}
