using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Postgres;

/// <summary>
/// The sites of a batch of readings and, per site, the first and last sequence as stored (bigint), in the order the
/// sites first appear. <see cref="StrictlyIncreasing"/> says whether every site's sequences rise through the batch
/// (as the edge sends them), which proves the batch holds no key twice without hashing it.
/// </summary>
internal sealed class SequenceRanges
{
    private SequenceRanges(string[] sites, long[] first, long[] last, bool strictlyIncreasing)
    {
        Sites = sites;
        First = first;
        Last = last;
        StrictlyIncreasing = strictlyIncreasing;
    }

    public string[] Sites { get; }

    public long[] First { get; }

    public long[] Last { get; }

    public bool StrictlyIncreasing { get; }

    public static SequenceRanges Of(IReadOnlyList<IngestedReading> readings)
    {
        var sites = new List<string>(1);
        var first = new List<long>(1);
        var last = new List<long>(1);
        var increasing = true;
        foreach (var reading in readings)
        {
            var sequence = ToColumn(reading.Sequence);
            // Almost every batch is one site's: look at the last site seen before searching.
            var index = sites.Count > 0 && string.Equals(sites[^1], reading.SiteId, StringComparison.Ordinal)
                ? sites.Count - 1
                : sites.FindIndex(s => string.Equals(s, reading.SiteId, StringComparison.Ordinal));
            if (index < 0)
            {
                sites.Add(reading.SiteId);
                first.Add(sequence);
                last.Add(sequence);
                continue;
            }
            // Compared as stored (signed), so that a range the database probes with BETWEEN is never inverted.
            if (sequence <= last[index]) increasing = false;
            else last[index] = sequence;
        }
        return new SequenceRanges([.. sites], [.. first], [.. last], increasing);
    }
}
