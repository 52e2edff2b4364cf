namespace Nexwatt.HardwareSim.Status;

/// <summary>Without a terminal (tests, services, pipes): one STATUS line per device every interval.</summary>
internal static class PlainStatusReporter
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(StatusSource source, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = source.SimulatedNow;
                foreach (var row in source.Rows()) await output.WriteLineAsync(row.PlainLine(now)).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
