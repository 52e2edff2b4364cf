using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>
/// One row of <see cref="PointMappingTable"/>: the SunSpec points that feed a canonical measurement.
/// </summary>
/// <param name="Measurement">What the row produces.</param>
/// <param name="ModelIds">SunSpec models the points belong to (a device implements one of them).</param>
/// <param name="Points">
/// One point path, or several parts that are summed into a total (per phase → total). A path may hold
/// <c>[*]</c> for any repeating-group index, e.g. <c>module[*].DCW</c> sums every MPPT module.
/// </param>
/// <param name="DeclaredUnit">The unit the model declares, used when a reading arrives without one.</param>
/// <param name="Sign">+1 when the model's sign already is export / discharge positive; -1 to flip it.</param>
/// <param name="Source">Why the row reads as it does: the model's own description of the point.</param>
internal sealed record PointMapping(
    Measurement Measurement,
    IReadOnlyList<ushort> ModelIds,
    IReadOnlyList<string> Points,
    string DeclaredUnit,
    double Sign,
    string Source)
{
    /// <summary>True when the row adds up several readings (parts of a total) instead of taking one.</summary>
    public bool IsSum => Points.Count > 1 || Points[0].Contains(WildcardIndex, StringComparison.Ordinal);

    private const string WildcardIndex = "[*]";

    /// <summary>Whether a reading of <paramref name="modelId"/> / <paramref name="point"/> feeds this row.</summary>
    public bool Matches(ushort modelId, string point)
    {
        if (!ModelIds.Contains(modelId)) return false;
        foreach (var pattern in Points)
        {
            if (PointMatches(pattern, point)) return true;
        }
        return false;
    }

    private static bool PointMatches(string pattern, string point)
    {
        var star = pattern.IndexOf(WildcardIndex, StringComparison.Ordinal);
        if (star < 0) return string.Equals(pattern, point, StringComparison.Ordinal);

        // "module[*].DCW" matches "module[" + digits + "].DCW".
        var prefix = pattern[..(star + 1)];
        var suffix = pattern[(star + 2)..];
        if (point.Length <= prefix.Length + suffix.Length) return false;
        if (!point.StartsWith(prefix, StringComparison.Ordinal) || !point.EndsWith(suffix, StringComparison.Ordinal)) return false;
        var index = point.AsSpan(prefix.Length, point.Length - prefix.Length - suffix.Length);
        foreach (var c in index)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return true;
    }
}
