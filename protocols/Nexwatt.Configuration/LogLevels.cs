namespace Nexwatt.Configuration;

/// <summary>
/// Log levels under Logging:LogLevel and Logging:{Provider}:LogLevel. The logging framework throws for a level it does
/// not know while the host builds its loggers, which ends the process with an unhandled exception and a stack trace.
/// </summary>
internal static class LogLevels
{
    // Microsoft.Extensions.Logging.LogLevel's names; this library needs nothing beyond the base library.
    private static readonly string[] Names = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];

    /// <summary>The error for <paramref name="key"/> when it is a log level the framework will not take; null otherwise.</summary>
    public static string? Problem(string key, string? value)
    {
        if (value is null || !IsLogLevelKey(key)) return null;
        if (Names.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)) return null;
        var closest = ClosestName.Find(value.Trim(), Names);
        return $"{key} '{value}' is not a log level; use one of {string.Join(", ", Names)}" + (closest is null ? "." : $" (did you mean {closest}?).");
    }

    private static bool IsLogLevelKey(string key)
    {
        var segments = key.Split(':');
        if (segments.Length < 3 || !segments[0].Equals("Logging", StringComparison.OrdinalIgnoreCase)) return false;
        return segments[1].Equals("LogLevel", StringComparison.OrdinalIgnoreCase)
            || segments.Length >= 4 && segments[2].Equals("LogLevel", StringComparison.OrdinalIgnoreCase);
    }
}
