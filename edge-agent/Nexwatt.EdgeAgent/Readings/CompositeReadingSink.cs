namespace Nexwatt.EdgeAgent.Readings;

/// <summary>Hands each poll to several sinks in order (the durable buffer first, then the log).</summary>
internal sealed class CompositeReadingSink(IReadOnlyList<IReadingSink> sinks) : IReadingSink
{
    public async ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
    {
        foreach (var sink in sinks) await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }
}
