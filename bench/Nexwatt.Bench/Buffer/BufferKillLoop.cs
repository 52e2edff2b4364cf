using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Nexwatt.Bench.Harness;

namespace Nexwatt.Bench.Buffer;

/// <summary>
/// Kills a writing process at random moments and checks that every poll the store had called committed is still
/// there. The child (`nexwatt-bench buffer-kill-child KIND PATH`) appends polls forever and prints "ACK id" after
/// each append returns; this process kills it with SIGKILL, reopens the file and looks for every printed id.
/// </summary>
internal static class BufferKillLoop
{
    public const string ChildCommand = "buffer-kill-child";

    public sealed record Outcome(long Acknowledged, long Missing, int ReopenFailures);

    public static async Task<Outcome> RunAsync(string kind, int kills, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-kill-").FullName;
        var path = Path.Combine(folder, "buffer.db");
        var random = new Random(20261204);
        var acknowledged = new HashSet<long>();
        long missing = 0;
        var reopenFailures = 0;
        try
        {
            for (var kill = 0; kill < kills; kill++)
            {
                var printed = await RunChildUntilKilledAsync(kind, path, TimeSpan.FromMilliseconds(random.Next(300, 1500)), cancellationToken).ConfigureAwait(false);
                acknowledged.UnionWith(printed);
                try
                {
                    var store = BufferContendersBenchmark.Open(kind, path);
                    await using (store.ConfigureAwait(false))
                    {
                        var stored = await store.StoredIdsAsync(cancellationToken).ConfigureAwait(false);
                        missing = acknowledged.Count(id => !stored.Contains(id));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Progress.Step($"buffer-contenders: {kind} could not be reopened after kill {kill + 1}: {ex.Message}");
                    reopenFailures++;
                }
            }
            return new Outcome(acknowledged.Count, missing, reopenFailures);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The child's loop: append polls until killed, printing each committed id.</summary>
    public static async Task<int> RunChildAsync(string kind, string path, CancellationToken cancellationToken)
    {
        var store = BufferContendersBenchmark.Open(kind, path);
        await using (store.ConfigureAwait(false))
        {
            var output = Console.Out;
            for (long index = 0; !cancellationToken.IsCancellationRequested; index++)
            {
                var id = await store.AppendAsync("device-kill", BufferBenchmark.Poll(index, BufferContendersBenchmark.PollReadings), cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"ACK {id.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        return 0;
    }

    private static async Task<List<long>> RunChildUntilKilledAsync(string kind, string path, TimeSpan after, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as `dotnet nexwatt-bench.dll` or as the apphost, whichever this process is.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in new[] { ChildCommand, kind, path }) info.ArgumentList.Add(argument);
        using var child = Process.Start(info) ?? throw new BenchException("cannot start the kill-loop child");
        var ids = new List<long>();
        var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("ACK ", StringComparison.Ordinal)) continue;
                lock (ids) ids.Add(long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture));
                firstAck.TrySetResult();
            }
        }, cancellationToken);
        var errors = child.StandardError.ReadToEndAsync(cancellationToken);
        // Kill only once it writes: the moment is random within the writing, not within the start-up.
        if (await Task.WhenAny(firstAck.Task, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken)).ConfigureAwait(false) != firstAck.Task)
        {
            child.Kill();
            throw new BenchException($"the {kind} kill-loop child printed no acknowledgement within 60 s: {await errors.ConfigureAwait(false)}");
        }
        await Task.Delay(after, cancellationToken).ConfigureAwait(false);
        child.Kill(); // SIGKILL on Linux
        await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        lock (ids) return [.. ids];
    }
}
