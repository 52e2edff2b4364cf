using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Hosting;

/// <summary>
/// Logs the agent's own memory every <c>Agent:HealthLogInterval</c> (off when zero): resident memory and its
/// anonymous share as the kernel counts them, and the managed heap as the GC sees it. A gateway runs for months on
/// a small board; this line is how an installer, or the soak bench, tells a growing managed heap from native growth.
/// </summary>
internal sealed partial class RuntimeHealthLog(TimeSpan interval, TimeProvider time, ILogger logger) : IHostedService, IDisposable
{
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (interval > TimeSpan.Zero) _timer = time.CreateTimer(_ => Report(), null, interval, interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    internal void Report()
    {
        var (resident, anonymous) = ReadResidentKilobytes();
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        Health(logger, resident / 1024.0, anonymous / 1024.0, GC.GetTotalMemory(forceFullCollection: false) / 1048576.0,
            gc.HeapSizeBytes / 1048576.0, gc.TotalCommittedBytes / 1048576.0, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>VmRSS and RssAnon from /proc/self/status, in KiB; -1 where the kernel does not say (not Linux).</summary>
    internal static (long Resident, long Anonymous) ReadResidentKilobytes(string statusPath = "/proc/self/status")
    {
        long resident = -1, anonymous = -1;
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) resident = Kilobytes(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anonymous = Kilobytes(line);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (resident, anonymous);
    }

    // "VmRSS:\t   84212 kB"
    private static long Kilobytes(string line) =>
        long.TryParse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Agent health: resident {ResidentMb:F1} MB (anonymous {AnonymousMb:F1} MB); managed heap {ManagedMb:F1} MB in use, {HeapMb:F1} MB after the last GC, {CommittedMb:F1} MB committed; GCs gen0 {Gen0} gen1 {Gen1} gen2 {Gen2}")]
    private static partial void Health(ILogger logger, double residentMb, double anonymousMb, double managedMb, double heapMb, double committedMb, int gen0, int gen1, int gen2);
}
