using System.Text.Json;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>The JSON body of /healthz and /readyz: {"status":"ok"|"unhealthy", "problems":[{"code","severity","message"}]}.</summary>
internal static class HealthJson
{
    public static byte[] Write(HealthReport report, bool ok)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("status", ok ? "ok" : "unhealthy");
            json.WriteString("at", report.At);
            WriteProblems(json, report);
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static void WriteProblems(Utf8JsonWriter json, HealthReport report)
    {
        json.WriteStartArray("problems");
        foreach (var problem in report.Problems)
        {
            json.WriteStartObject();
            json.WriteString("code", problem.Code);
            json.WriteString("severity", problem.Severity == HealthSeverity.Unhealthy ? "unhealthy" : "warning");
            json.WriteString("message", problem.Message);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
