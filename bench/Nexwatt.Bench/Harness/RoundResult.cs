namespace Nexwatt.Bench.Harness;

/// <summary>One measured round of one contender.</summary>
/// <param name="Reads">Completed 125-register reads.</param>
/// <param name="Seconds">Wall time of the round.</param>
/// <param name="CpuSeconds">CPU time the client process used during the round (all its threads).</param>
/// <param name="AllocatedBytes">Bytes allocated by the client process during the round, when known (our client only).</param>
internal sealed record RoundResult(long Reads, double Seconds, double CpuSeconds, long? AllocatedBytes = null)
{
    public double ReadsPerSecond => Reads / Seconds;

    public double CpuMicrosecondsPerRead => CpuSeconds * 1e6 / Reads;

    public double? AllocatedBytesPerRead => AllocatedBytes is { } bytes ? (double)bytes / Reads : null;
}
