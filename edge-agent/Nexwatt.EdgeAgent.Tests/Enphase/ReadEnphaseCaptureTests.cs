using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

/// <summary>
/// `nexwatt-agent read --enphase … --json` against every firmware folder of the shared captures, served by an
/// independent Python http.server (peers/enphase_capture_server.py): HTTPS with an openssl self-signed certificate and
/// a bearer token from firmware 7, plain HTTP with Digest below. Values are checked against the capture files.
/// </summary>
public sealed class ReadEnphaseCaptureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enphase-read").FullName;

    /// <summary>The folders of one auth generation; the two generations run as two classes, in parallel.</summary>
    public static IEnumerable<object[]> Folders(bool tokenFirmware) =>
        Directory.GetDirectories(Path.Combine(RepoPaths.SharedReference, "enphase", "fixtures")).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Where(f => int.Parse(f!.Split('.')[0]) >= 7 == tokenFirmware).Select(f => new object[] { f! });

    public static IEnumerable<object[]> DigestFolders() => Folders(tokenFirmware: false);

    [Theory]
    [MemberData(nameof(DigestFolders))]
    public Task EveryDigestCaptureFolder_IsReadWithItsAuthUnitsAndSigns(string folder) => ReadAndCheckAsync(folder, _dir);

    internal static async Task ReadAndCheckAsync(string folder, string directory)
    {
        var fixture = Path.Combine(RepoPaths.SharedReference, "enphase", "fixtures", folder);
        var tokenFirmware = int.Parse(folder.Split('.')[0]) >= 7;
        var token = $"{B64("{\"alg\":\"ES256\"}")}.{B64($"{{\"enphaseUser\":\"owner\",\"exp\":{DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds()}}}")}.c2ln";
        var serverArgs = new List<string> { fixture };
        var agentArgs = new List<string> { "read", "--json", "--pin-file", Path.Combine(directory, "pin") };
        string? fingerprint = null;
        if (tokenFirmware)
        {
            var (cert, key) = await SelfSignedAsync(directory);
            fingerprint = await OpensslFingerprintAsync(cert);
            File.WriteAllText(Path.Combine(directory, "token"), token);
            serverArgs.AddRange(["--cert", cert, "--key", key, "--token", token]);
            agentArgs.AddRange(["--token-file", Path.Combine(directory, "token")]);
        }
        else
        {
            serverArgs.AddRange(["--digest-password", "s3cret"]);
            agentArgs.AddRange(["--user", "installer", "--password", "s3cret"]);
        }
        await using var server = DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "enphase_capture_server.py"), [.. serverArgs]);
        var port = (await server.WaitForLineAsync(l => l.StartsWith("LISTENING ", StringComparison.Ordinal), TimeSpan.FromSeconds(20))).Split(' ')[1];
        agentArgs.InsertRange(1, ["--enphase", $"{(tokenFirmware ? "https" : "http")}://localhost:{port}"]);

        // A one-shot command: tiered compilation halves its start-up CPU (the project turns it off for the long-running service).
        await using var agent = AgentProcess.Start(agentArgs, new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "1" });
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var output = agent.Log;

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(AgentProcess.JsonPart(output));
        var root = json.RootElement;
        Assert.StartsWith(root.GetProperty("firmware").GetString()!, folder);
        Assert.Equal(tokenFirmware ? "BearerToken" : "Digest", root.GetProperty("auth").GetString());
        if (tokenFirmware) Assert.Equal(fingerprint, root.GetProperty("pinned").GetString());
        var readings = root.GetProperty("readings").EnumerateArray()
            .ToDictionary(r => (r.GetProperty("device").GetString()!, r.GetProperty("point").GetString()!), r => r);
        double Value(string device, string point)
        {
            Assert.True(readings.TryGetValue(($"enphase.{device}", point), out var r), $"{folder}: no {device} {point}; have {string.Join(", ", readings.Keys.Select(k => k.Item1).Distinct())}");
            Assert.Equal(point.EndsWith("Wh", StringComparison.Ordinal) ? "Wh" : point.EndsWith("Pct", StringComparison.Ordinal) ? "Pct" : point.EndsWith('W') ? "W" : r.GetProperty("unit").GetString(), r.GetProperty("unit").GetString());
            return r.GetProperty("value").GetDouble();
        }

        Assert.True(readings.ContainsKey(("enphase.production", "ActivePowerW")), $"{folder}: no production power");
        // Every enabled CT, read straight from the capture: production as is, net-consumption negated (import is negative).
        if (Captured(fixture, "ivp_meters_readings") is not null && Captured(fixture, "ivp_meters") is { ValueKind: JsonValueKind.Array })
        {
            var values = Json(fixture, "ivp_meters_readings").EnumerateArray().ToDictionary(r => r.GetProperty("eid").GetInt64(), r => r.GetProperty("activePower").GetDouble());
            foreach (var meter in Json(fixture, "ivp_meters").EnumerateArray().Where(m => m.GetProperty("state").GetString() == "enabled"))
            {
                var power = values[meter.GetProperty("eid").GetInt64()];
                switch (meter.GetProperty("measurementType").GetString())
                {
                    case "production": Assert.Equal(power, Value("production", "ActivePowerW"), 3); break;
                    case "net-consumption": Assert.Equal(-power, Value("grid", "ActivePowerW"), 3); break;
                    case "total-consumption": Assert.Equal(-power, Value("consumption", "ActivePowerW"), 3); break;
                    case "storage": Assert.Equal(power, Value("storage-ct", "ActivePowerW"), 3); break;
                }
            }
        }
        if (Captured(fixture, "ivp_ensemble_power") is { ValueKind: JsonValueKind.Object } ensemble
            && ensemble.TryGetProperty("devices:", out var batteries))
            foreach (var battery in batteries.EnumerateArray())
            {
                Assert.Equal(battery.GetProperty("real_power_mw").GetDouble() / 1000, Value($"battery-{battery.GetProperty("serial_num").GetString()}", "ActivePowerW"), 3);
                Assert.Equal(battery.GetProperty("soc").GetDouble(), Value($"battery-{battery.GetProperty("serial_num").GetString()}", "StateOfChargePct"));
            }
        // The inverter list needs auth on every firmware: Digest below 7, the token from 7.
        if (Captured(fixture, "api_v1_production_inverters") is not null)
            foreach (var inverter in Json(fixture, "api_v1_production_inverters").EnumerateArray())
                Assert.Equal(inverter.GetProperty("lastReportWatts").GetDouble(), Value($"inverter-{inverter.GetProperty("serialNumber").GetString()}", "ActivePowerW"));
        // 404 and 401 endpoints are not read; nothing reports a value for them.
        var endpoints = root.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()!.Split('?')[0]).ToList();
        foreach (var path in endpoints.Where(p => p is not "/ivp/meters/readings"))
        {
            var log = Path.Combine(fixture, path.TrimStart('/').Replace('/', '_') + "_log.json");
            if (File.Exists(log)) Assert.Equal(200, Json(log).GetProperty("code").GetInt32());
        }
    }

    [Fact]
    public async Task WrongDigestPassword_IsAClearRefusal()
    {
        var fixture = Path.Combine(RepoPaths.SharedReference, "enphase", "fixtures", "5.0.62");
        await using var server = DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "enphase_capture_server.py"), fixture, "--digest-password", "right");
        var port = (await server.WaitForLineAsync(l => l.StartsWith("LISTENING ", StringComparison.Ordinal), TimeSpan.FromSeconds(20))).Split(' ')[1];
        var (code, output) = await AgentProcess.RunAsync("read", "--enphase", $"http://localhost:{port}", "--user", "installer", "--password", "wrong");
        Assert.Equal(4, code);
        Assert.Contains("digest credentials of user installer rejected", output);
    }

    private static JsonElement Json(string fixture, string file) => Json(Path.Combine(fixture, file));

    /// <summary>A capture that is data: its file exists and its _log.json (if any) says 200.</summary>
    private static JsonElement? Captured(string fixture, string file)
    {
        var path = Path.Combine(fixture, file);
        if (!File.Exists(path)) return null;
        if (File.Exists(path + "_log.json") && Json(path + "_log.json").GetProperty("code").GetInt32() != 200) return null;
        return Json(path);
    }

    private static JsonElement Json(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.Clone();
    }

    private static async Task<(string Cert, string Key)> SelfSignedAsync(string directory)
    {
        var cert = Path.Combine(directory, "cert.pem");
        var key = Path.Combine(directory, "key.pem");
        await RunAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=envoy.local",
            "-keyout", key, "-out", cert, "-days", "2");
        return (cert, key);
    }

    private static async Task<string> OpensslFingerprintAsync(string cert)
    {
        var output = await RunAsync("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert);
        return output.Split('=')[1].Trim().Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start (install openssl)");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? stdout : throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {stderr}");
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>The firmware 7+ folders (HTTPS, token, pinning) of <see cref="ReadEnphaseCaptureTests"/>.</summary>
public sealed class ReadEnphaseTokenCaptureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enphase-read").FullName;

    public static IEnumerable<object[]> TokenFolders() => ReadEnphaseCaptureTests.Folders(tokenFirmware: true);

    [Theory]
    [MemberData(nameof(TokenFolders))]
    public Task EveryTokenCaptureFolder_IsReadWithItsAuthUnitsAndSigns(string folder) => ReadEnphaseCaptureTests.ReadAndCheckAsync(folder, _dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
