using System.Text;

namespace Nexwatt.Protocols.Mqtt;

/// <summary>Topic name and filter rules (MQTT 5.0 section 4.7, 3.1.1 section 4.7).</summary>
internal static class MqttTopic
{
    public static bool IsValidTopicName(string? topic, out string reason)
    {
        if (string.IsNullOrEmpty(topic)) { reason = "a topic name is at least one character."; return false; }
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) { reason = $"'{topic}' contains a wildcard (+ or #)."; return false; }
        return CheckCommon(topic, out reason);
    }

    public static bool IsValidTopicFilter(string? filter, out string reason)
    {
        if (string.IsNullOrEmpty(filter)) { reason = "a topic filter is at least one character."; return false; }
        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#') && (level != "#" || i != levels.Length - 1)) { reason = $"'{filter}': '#' must be a whole last level."; return false; }
            if (level.Contains('+') && level != "+") { reason = $"'{filter}': '+' must be a whole level."; return false; }
        }
        return CheckCommon(filter, out reason);
    }

    private static bool CheckCommon(string value, out string reason)
    {
        if (value.Contains('\0')) { reason = "U+0000 is not allowed."; return false; }
        if (Encoding.UTF8.GetByteCount(value) > 65535) { reason = "longer than 65535 UTF-8 bytes."; return false; }
        reason = "";
        return true;
    }
}
