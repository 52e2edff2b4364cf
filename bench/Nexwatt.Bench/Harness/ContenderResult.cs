namespace Nexwatt.Bench.Harness;

/// <summary>All measured rounds of one contender, plus what the server spent while serving it.</summary>
internal sealed class ContenderResult(IContender contender)
{
    private readonly List<RoundResult> _rounds = [];
    private double _serverCpuSeconds;
    private double _wallSeconds;

    public IContender Contender => contender;

    public IReadOnlyList<RoundResult> Rounds => _rounds;

    /// <summary>Connections the contender opened to the server over all its rounds.</summary>
    public int Connections { get; set; }

    public void Add(RoundResult round, double serverCpuSeconds, double wallSeconds)
    {
        _rounds.Add(round);
        _serverCpuSeconds += serverCpuSeconds;
        _wallSeconds += wallSeconds;
    }

    public double MedianReadsPerSecond => Statistics.Median(_rounds.Select(r => r.ReadsPerSecond));

    public double MedianCpuMicrosecondsPerRead => Statistics.Median(_rounds.Select(r => r.CpuMicrosecondsPerRead));

    /// <summary>Client CPU over wall time, median over rounds (1.0 = one core busy).</summary>
    public double MedianCpuFraction => Statistics.Median(_rounds.Select(r => r.CpuSeconds / r.Seconds));

    public double? MedianAllocatedBytesPerRead => _rounds.All(r => r.AllocatedBytesPerRead is not null)
        ? Statistics.Median(_rounds.Select(r => r.AllocatedBytesPerRead!.Value))
        : null;

    /// <summary>
    /// Server CPU over wall time while it served this contender (1.0 = one core busy). For a peer process the wall
    /// time includes its start-up, so the figure slightly understates the server's load during the round.
    /// </summary>
    public double ServerCpuFraction => _wallSeconds > 0 ? _serverCpuSeconds / _wallSeconds : 0;
}
