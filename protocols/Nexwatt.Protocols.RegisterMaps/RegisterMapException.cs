namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>A register map file that cannot be used, with every problem found and where it is.</summary>
public sealed class RegisterMapException(string file, IReadOnlyList<MapProblem> problems)
    : Exception($"{file}: {string.Join("; ", problems.Select(p => p.ToString()))}")
{
    public string File { get; } = file;

    public IReadOnlyList<MapProblem> Problems { get; } = problems;
}

/// <summary>One problem: the JSON path, its 1-based line and column (0 when unknown), and what is wrong.</summary>
public sealed record MapProblem(string Path, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}, column {Column} ({Path}): {Message}" : $"{Path}: {Message}";
}
