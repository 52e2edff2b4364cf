using System.Globalization;

namespace Nexwatt.Bench.AgentMemory;

/// <summary>
/// The kernel's view of one process's memory at one instant, in bytes: VmRSS and its split from /proc/PID/status
/// (anonymous: GC heap and native allocations; file: mapped assemblies and libraries; shmem: the runtime's
/// double-mapped JIT code) and the private share from /proc/PID/smaps_rollup (pages no other process maps).
/// </summary>
internal sealed record ResidentSample(long Resident, long Anonymous, long File, long Shared, long Private)
{
    public static ResidentSample? Read(int pid)
    {
        try
        {
            var status = Fields($"/proc/{pid}/status");
            var rollup = Fields($"/proc/{pid}/smaps_rollup");
            return new ResidentSample(status.GetValueOrDefault("VmRSS"), status.GetValueOrDefault("RssAnon"), status.GetValueOrDefault("RssFile"),
                status.GetValueOrDefault("RssShmem"), rollup.GetValueOrDefault("Private_Clean") + rollup.GetValueOrDefault("Private_Dirty"));
        }
        catch (IOException) { return null; } // the process is gone
    }

    // "VmRSS:\t   84212 kB" -> ("VmRSS", 86233088)
    private static Dictionary<string, long> Fields(string path)
    {
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in System.IO.File.ReadLines(path))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || !line.EndsWith(" kB", StringComparison.Ordinal)) continue;
            if (long.TryParse(line.AsSpan(colon + 1, line.Length - colon - 4).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes))
                fields[line[..colon]] = kilobytes * 1024;
        }
        return fields;
    }
}
