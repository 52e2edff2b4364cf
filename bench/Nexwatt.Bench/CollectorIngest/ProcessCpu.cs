using System.Globalization;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>
/// CPU time (user + system) from /proc/&lt;pid&gt;/stat, in seconds: this process, or a server and its children
/// (PostgreSQL's postmaster forks a backend per connection; exited backends are not counted, the pool keeps them).
/// The kernel's resolution is one clock tick (10 ms).
/// </summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Self() => Seconds(Environment.ProcessId);

    /// <summary>The process and its direct children.</summary>
    public static double Tree(int pid)
    {
        var total = Seconds(pid);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child) || child == pid) continue;
            if (Fields(child) is { } fields && fields[1] == pid.ToString(CultureInfo.InvariantCulture)) total += Ticks(fields) / TicksPerSecond;
        }
        return total;
    }

    /// <summary>The first process whose command line contains <paramref name="text"/> (e.g. a broker's config file).</summary>
    public static int? FindByCommandLine(string text)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(text, StringComparison.Ordinal)) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

    private static double Seconds(int pid) => Fields(pid) is { } fields ? Ticks(fields) / TicksPerSecond : 0;

    // Fields after "pid (comm)": [0] state, [1] ppid, ... [11] utime, [12] stime (proc(5) fields 14 and 15).
    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static long Ticks(string[] fields) =>
        long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}
