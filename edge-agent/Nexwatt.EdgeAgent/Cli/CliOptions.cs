using System.CommandLine;
using Nexwatt.Configuration;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>Options shared by the technician commands.</summary>
internal static class CliOptions
{
    public static Option<TimeSpan> Timeout(string defaultText) => new("--timeout", "-t")
    {
        Description = $"How long to wait for each answer, e.g. 500ms, 2s (default {defaultText}).",
        DefaultValueFactory = _ => ParseDuration(defaultText),
        CustomParser = result => Duration.TryParse(result.Tokens.Single().Value, out var value)
            ? value
            : Fail<TimeSpan>(result, $"'{result.Tokens.Single().Value}' is not a duration such as 500ms, 2s or 00:00:02."),
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table." };

    public static Option<DirectoryInfo?> ModelsFolder() => new("--models-folder")
    {
        Description = "A folder of extra official SunSpec model JSON files (model_*.json).",
    };

    /// <summary>"1,2,5-7" → 1, 2, 5, 6, 7, each checked against [min, max].</summary>
    public static Option<int[]> IntList(string name, string description, string defaultText, int min, int max) => new(name)
    {
        Description = $"{description} (default {defaultText}).",
        DefaultValueFactory = _ => ParseList(defaultText, min, max, out string _)!,
        CustomParser = result =>
        {
            var text = string.Join(",", result.Tokens.Select(t => t.Value));
            return ParseList(text, min, max, out var error) ?? Fail<int[]>(result, $"{name}: {error}");
        },
    };

    internal static int[]? ParseList(string text, int min, int max, out string error)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', 2);
            if (!int.TryParse(bounds[0], out var first) || (bounds.Length == 2 ? !int.TryParse(bounds[1], out var last) : (last = first) != first))
            { error = $"'{part}' is not a number or a range like 1-5"; return null; }
            if (first < min || last > max || last < first) { error = $"'{part}' is outside {min}-{max}"; return null; }
            for (var v = first; v <= last; v++) values.Add(v);
        }
        if (values.Count == 0) { error = "no value given"; return null; }
        error = "";
        return values.Distinct().ToArray();
    }

    private static TimeSpan ParseDuration(string text) => Duration.TryParse(text, out var value) ? value : throw new FormatException(text);

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
