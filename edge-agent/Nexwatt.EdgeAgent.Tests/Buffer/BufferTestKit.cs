using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>A temporary folder for one test's buffer, removed afterwards, and helpers to make readings.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"nexwatt-buffer-{Guid.NewGuid():N}");

    public string DatabasePath => Path.Combine(Root, "buffer.db");

    public BufferOptions Options(Action<BufferOptions>? configure = null)
    {
        var options = new BufferOptions { Path = DatabasePath, CommitInterval = TimeSpan.FromMilliseconds(20), RetryInterval = TimeSpan.FromMilliseconds(10) };
        configure?.Invoke(options);
        return options;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    public static List<Reading> Readings(int count, long timeUs = 1_780_000_000_000_000, string point = "W")
    {
        var readings = new List<Reading>(count);
        for (var i = 0; i < count; i++)
            readings.Add(new Reading { ModelId = 103, Point = $"{point}{i}", Value = i * 1.5, Unit = "W", Quality = Quality.Good, SourceTimeUs = timeUs + i });
        return readings;
    }
}

/// <summary>A logger that keeps every line, so a test can check what the buffer said.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Entries => [.. _entries];

    public string Text => string.Join('\n', _entries.Select(e => $"{e.Level} {e.Id.Id} {e.Message}"));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}
