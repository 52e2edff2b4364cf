using Microsoft.Extensions.Hosting;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// Opens the buffer when the host starts (so that a salvage runs and is logged before polling begins) and closes
/// it last at stop: it is registered before the pollers and the uplink, and hosted services stop in reverse order,
/// so every accepted reading is committed before the file is closed.
/// </summary>
internal sealed class BufferLifetime(Func<ReadingBuffer> buffer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = buffer();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await buffer().DisposeAsync().ConfigureAwait(false);
}
