using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>The status document as a few lines for a person at a terminal.</summary>
internal static class StatusTable
{
    public static string Format(JsonElement status)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Site {status.GetProperty("site").GetString()}: {status.GetProperty("status").GetString()}{(status.GetProperty("ready").GetBoolean() ? "" : " (not ready)")}");
        foreach (var problem in status.GetProperty("problems").EnumerateArray())
            text.AppendLine(inv, $"  {problem.GetProperty("severity").GetString()}: {problem.GetProperty("message").GetString()}");
        text.AppendLine(inv, $"{"DEVICE",-20} {"HEALTH",-9} {"LAST READING",-22} {"POLLS",7} {"ERRORS",7}  LAST ERROR / TOKEN");
        foreach (var device in status.GetProperty("devices").EnumerateArray())
        {
            var note = device.GetProperty("lastError").GetString() ?? "";
            if (device.TryGetProperty("tokenExpires", out var expires)) note = $"token expires {Text(expires)} {note}";
            text.AppendLine(inv, $"{device.GetProperty("id").GetString(),-20} {(device.GetProperty("healthy").GetBoolean() ? "ok" : "failing"),-9} {Text(device.GetProperty("lastReading")),-22} {device.GetProperty("polls").GetInt64(),7} {device.GetProperty("errors").GetInt64(),7}  {note}");
        }
        var buffer = status.GetProperty("buffer");
        text.AppendLine(inv, $"Buffer: {buffer.GetProperty("readings").GetInt64()} readings, {buffer.GetProperty("bytesOnDisk").GetInt64()} bytes, oldest {Text(buffer.GetProperty("oldest"))}, {buffer.GetProperty("evicted").GetInt64()} evicted, ~{buffer.GetProperty("bytesWrittenPerDay").GetInt64() / 1048576.0:0.#} MB written per day");
        var uplink = status.GetProperty("uplink");
        text.AppendLine(inv, $"Uplink: {uplink.GetProperty("transport").GetString()}, {(uplink.GetProperty("connected").GetBoolean() ? "connected" : "not connected")}, last delivery {Text(uplink.GetProperty("lastDelivery"))}");
        text.AppendLine(inv, $"Collector key: {(status.GetProperty("collectorKey").GetString() ?? "none pinned (every setpoint is rejected)")}");
        var setpoints = status.GetProperty("setpoints").EnumerateArray().ToArray();
        text.AppendLine(inv, $"Setpoints: {(setpoints.Length == 0 ? "none" : string.Join(", ", setpoints.Select(s => $"{s.GetProperty("device").GetString()} {s.GetProperty("kind").GetString()} ({s.GetProperty("dispatch").GetString()})")))}");
        return text.ToString();
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.Null ? "never"
        : value.TryGetDateTimeOffset(out var at) ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : value.ToString();
}
