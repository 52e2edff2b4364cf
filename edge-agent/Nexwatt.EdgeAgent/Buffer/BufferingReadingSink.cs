using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Readings;
using Proto = Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// The reading sink that makes a poll durable: converts it to wire readings and appends it to the buffer, which
/// returns once the poll is committed. When the buffer cannot store (disk full), the loss is logged and counted
/// (the buffer announces it as a gap once it recovers) and the poller keeps polling.
/// </summary>
internal sealed class BufferingReadingSink(ReadingBuffer buffer, ILogger<BufferingReadingSink> logger) : IReadingSink
{
    // Log the first failure and then one in a hundred, so that a full disk does not also fill the journal.
    private const int LogEvery = 100;
    private long _lost;
    private long _failures;

    /// <summary>Readings that could not be buffered since start.</summary>
    public long ReadingsLost => Interlocked.Read(ref _lost);

    public async ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
    {
        if (batch.Readings.Count == 0) return;
        var readings = new Proto.Reading[batch.Readings.Count];
        for (var i = 0; i < readings.Length; i++) readings[i] = ToWire(batch.Readings[i]);
        try
        {
            await buffer.AppendAsync(batch.DeviceId, readings, cancellationToken).ConfigureAwait(false);
        }
        catch (BufferUnavailableException ex)
        {
            var lost = Interlocked.Add(ref _lost, readings.Length);
            if (Interlocked.Increment(ref _failures) % LogEvery == 1)
                BufferLog.AppendFailed(logger, batch.DeviceId, readings.Length, lost, ex.Message);
        }
    }

    internal static Proto.Reading ToWire(Reading reading)
    {
        var wire = new Proto.Reading
        {
            DeviceId = reading.DeviceId,
            ModelId = reading.ModelId,
            ModelInstance = (uint)reading.ModelInstance,
            Point = reading.Point,
            Text = reading.Text ?? "",
            Unit = reading.Units ?? "",
            Quality = reading.Quality switch
            {
                ReadingQuality.Good => Proto.Quality.Good,
                ReadingQuality.NotImplemented => Proto.Quality.NotImplemented,
                _ => Proto.Quality.Unspecified,
            },
            SourceTimeUs = BufferStore.ToUnixMicroseconds(reading.SourceTimestamp),
        };
        if (reading.Value is { } value) wire.Value = value;
        return wire;
    }
}
