using System.Text.Json;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Polling;

namespace Nexwatt.EdgeAgent.Observability.Status;

/// <summary>
/// The one JSON document the status socket answers: health (the same evaluation as /readyz and the watchdog),
/// devices, buffer, uplink, the pinned collector key, active setpoints and credential expiries. Nothing secret:
/// the key is its fingerprint, a token only its expiry.
/// </summary>
internal sealed class StatusDocument(string siteId, AgentHealth health, DeviceHealthBoard devices, ReadingBuffer buffer, UplinkStatus uplink,
    CollectorKey key, Func<IReadOnlyDictionary<string, IReadOnlyList<PlannedTarget>>> setpoints, CredentialExpiryBoard credentials)
{
    public byte[] Write()
    {
        var report = health.Evaluate();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("site", siteId);
            json.WriteString("at", report.At);
            json.WriteString("status", report.Healthy ? "ok" : "unhealthy");
            json.WriteBoolean("ready", report.Ready);
            HealthJson.WriteProblems(json, report);
            WriteDevices(json);
            WriteBuffer(json);
            json.WriteStartObject("uplink");
            json.WriteString("transport", uplink.Transport);
            json.WriteBoolean("connected", uplink.Connected);
            WriteTime(json, "lastDelivery", uplink.LastDelivery);
            json.WriteEndObject();
            json.WriteString("collectorKey", key.KeyId);
            WriteSetpoints(json);
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private void WriteDevices(Utf8JsonWriter json)
    {
        var expiries = credentials.Snapshot().ToDictionary(e => e.DeviceId, e => e.ExpiresAt, StringComparer.Ordinal);
        json.WriteStartArray("devices");
        foreach (var device in devices.Snapshot())
        {
            json.WriteStartObject();
            json.WriteString("id", device.DeviceId);
            json.WriteBoolean("healthy", device.Healthy);
            WriteTime(json, "lastReading", device.LastSuccess);
            json.WriteNumber("polls", device.Polls);
            json.WriteNumber("errors", device.FailedPolls);
            json.WriteNumber("consecutiveFailures", device.ConsecutiveFailures);
            json.WriteString("lastError", device.LastError);
            if (devices.Describe(device.DeviceId) is { } description)
                json.WriteString("model", string.Join(' ', new[] { description.Manufacturer, description.Model }.Where(s => !string.IsNullOrEmpty(s))));
            if (expiries.TryGetValue(device.DeviceId, out var expiry)) WriteTime(json, "tokenExpires", expiry);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private void WriteBuffer(Utf8JsonWriter json)
    {
        var statistics = buffer.GetStatistics();
        json.WriteStartObject("buffer");
        json.WriteBoolean("available", statistics.Available);
        json.WriteNumber("readings", statistics.ReadingsBuffered);
        json.WriteNumber("bytesOnDisk", statistics.BytesOnDisk);
        json.WriteNumber("evicted", statistics.ReadingsEvictedTotal);
        // Flash wear: what the store wrote since it was made, and its estimate per day at the current rate.
        json.WriteNumber("bytesWrittenTotal", statistics.BytesWrittenTotal);
        json.WriteNumber("bytesWrittenPerDay", statistics.BytesWrittenPerDay);
        WriteTime(json, "oldest", statistics.OldestTimeUs is { } us ? Protos.WireTime.FromMicroseconds(us) : null);
        json.WriteEndObject();
    }

    private void WriteSetpoints(Utf8JsonWriter json)
    {
        json.WriteStartArray("setpoints");
        foreach (var (dispatchId, targets) in setpoints())
            foreach (var target in targets)
            {
                json.WriteStartObject();
                json.WriteString("dispatch", dispatchId);
                json.WriteString("device", target.DeviceId);
                json.WriteString("kind", target.Kind.ToString());
                if (target.Kind == TargetKind.ExportLimit) json.WriteNumber("exportLimitPercent", target.ExportLimitPercent);
                else json.WriteNumber("watts", target.Watts);
                json.WriteEndObject();
            }
        json.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } at) json.WriteString(name, at);
        else json.WriteNull(name);
    }
}
