using System.Diagnostics;
using System.Text.Json;
namespace Nexwatt.Testing;

/// <summary>Debian's python3-prometheus-client parsing a scrape: an oracle for the exposition format that we did not write.</summary>
public static class PrometheusParser
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Family(string Name, string Type, IReadOnlyList<Sample> Samples);

    public static async Task<IReadOnlyList<Family>> ParseAsync(string exposition)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "prometheus_parse.py");
        if (!File.Exists(DebianPython.Interpreter))
            throw new InvalidOperationException($"{DebianPython.Interpreter} is missing; run bash scripts/test.sh, which installs python3-prometheus-client.");
        var info = new ProcessStartInfo(DebianPython.Interpreter, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{DebianPython.Interpreter} did not start");
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0)
            throw new InvalidDataException($"prometheus_client refused the exposition (is python3-prometheus-client installed? scripts/test.sh installs it):\n{await error}\n{exposition}");
        using var json = JsonDocument.Parse(await output);
        return json.RootElement.GetProperty("families").EnumerateArray().Select(f => new Family(
            f.GetProperty("name").GetString()!,
            f.GetProperty("type").GetString()!,
            f.GetProperty("samples").EnumerateArray().Select(s => new Sample(
                s.GetProperty("name").GetString()!,
                s.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
                s.GetProperty("value").GetDouble())).ToList())).ToList();
    }
}
