using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nexwatt.Configuration;

/// <summary>One line for a configuration file that does not load: the file, the line and column, and the reason.</summary>
public static partial class ConfigurationFileError
{
    /// <summary>
    /// Describes a failure of the JSON configuration provider ("Failed to load configuration from file 'X'" around a
    /// JsonException or FormatException) as "X: line 3, column 14: reason"; other exceptions by their message.
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var file = QuotedFile().Match(exception.Message) is { Success: true } m ? m.Groups[1].Value : null;
        var json = Chain(exception).OfType<JsonException>().FirstOrDefault();
        if (json is not null)
        {
            var reason = LineSuffix().Replace(json.Message, "").Trim();
            var where = json.LineNumber is { } line ? $"line {line + 1}, column {(json.BytePositionInLine ?? 0) + 1}: " : "";
            return $"{file ?? "configuration file"}: {where}{reason}";
        }
        // The provider's own checks (a duplicate key, a root that is not an object) come as an inner FormatException.
        var inner = Chain(exception).Skip(1).LastOrDefault();
        return file is not null && inner is not null ? $"{file}: {inner.Message}" : exception.Message;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException) yield return e;
    }

    [GeneratedRegex(@"file '([^']+)'")]
    private static partial Regex QuotedFile();

    [GeneratedRegex(@"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.$")]
    private static partial Regex LineSuffix();
}
