using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.Mqtt.Tests;

/// <summary>Collects log lines so tests can check that a failure was logged clearly.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();
    private readonly List<(string Fragment, TaskCompletionSource<string> Seen)> _waiters = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => _lines.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        _lines.Enqueue((logLevel, message));
        lock (_waiters)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!message.Contains(_waiters[i].Fragment, StringComparison.OrdinalIgnoreCase)) continue;
                _waiters[i].Seen.TrySetResult(message);
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>Waits for a log line containing <paramref name="fragment"/> (already logged or to come).</summary>
    public async Task<string> WaitForAsync(string fragment, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            foreach (var line in _lines)
                if (line.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)) return line.Message;
            _waiters.Add((fragment, seen));
        }
        try
        {
            return await seen.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"No log line with '{fragment}'. Log:{Environment.NewLine}{this}");
        }
    }

    public bool Contains(LogLevel minimum, string fragment)
        => _lines.Any(l => l.Level >= minimum && l.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => string.Join(Environment.NewLine, _lines.Select(l => $"{l.Level}: {l.Message}"));
}
