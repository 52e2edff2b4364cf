using System.Diagnostics;
using Nexwatt.Bench.Harness;
using Nexwatt.Bench.Peers;

namespace Nexwatt.Bench.Modbus;

/// <summary>
/// Our client in this process: <see cref="InFlight"/> concurrent callers share one link (one connection), each
/// awaiting one 125-register read after another, so that up to that many requests are in flight.
/// </summary>
internal sealed class InProcessContender(string name, int port, int inFlight) : IContender
{
    private NexwattLink? _link;

    public string Name => name;

    public int InFlight => inFlight;

    public async Task<RoundResult> RunRoundAsync(double warmupSeconds, double seconds, CancellationToken cancellationToken)
    {
        if (_link is null)
        {
            _link = NexwattLink.Open("127.0.0.1", port, inFlight);
            await VerifyAsync(cancellationToken).ConfigureAwait(false);
        }
        if (warmupSeconds > 0) await MeasureAsync(warmupSeconds, cancellationToken).ConfigureAwait(false);
        return await MeasureAsync(seconds, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _link?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task VerifyAsync(CancellationToken cancellationToken)
    {
        var registers = await _link!.Client.ReadHoldingRegistersAsync(1, 0, LibmodbusServer.ReadCount, cancellationToken).ConfigureAwait(false);
        if (registers.Length != LibmodbusServer.ReadCount) throw new BenchException($"Our client returned {registers.Length} registers, expected {LibmodbusServer.ReadCount}.");
        for (var i = 0; i < registers.Length; i++)
            if (registers[i] != LibmodbusServer.Pattern(i))
                throw new BenchException($"Our client read register {i} = {registers[i]}, the server holds {LibmodbusServer.Pattern(i)}.");
    }

    private async Task<RoundResult> MeasureAsync(double seconds, CancellationToken cancellationToken)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        // Every thread's allocations: continuations of a pipelined link run on pool threads and I/O callbacks.
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(seconds * Stopwatch.Frequency);

        var loops = new Task<long>[inFlight];
        for (var i = 0; i < inFlight; i++) loops[i] = Task.Run(() => ReadUntilAsync(deadline, cancellationToken), cancellationToken);
        var reads = (await Task.WhenAll(loops).ConfigureAwait(false)).Sum();

        // Elapsed runs until the last caller's last answer, so that reads / elapsed stays honest when pipelined.
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        return new RoundResult(reads, elapsed, cpu, allocated);
    }

    private async Task<long> ReadUntilAsync(long deadline, CancellationToken cancellationToken)
    {
        var client = _link!.Client;
        long reads = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await client.ReadHoldingRegistersAsync(1, 0, LibmodbusServer.ReadCount, cancellationToken).ConfigureAwait(false);
            reads++;
        }
        return reads;
    }
}
