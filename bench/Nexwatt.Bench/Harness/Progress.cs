using System.Diagnostics;

namespace Nexwatt.Bench.Harness;

/// <summary>One line per step on stderr, with the time since start, so that stdout holds only results.</summary>
internal static class Progress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Step(string message) => Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {message}");
}
