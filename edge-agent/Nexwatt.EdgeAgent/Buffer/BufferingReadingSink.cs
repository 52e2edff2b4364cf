using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Proto = Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// The reading sink that makes a poll durable: converts it to wire readings and appends it to the buffer, which
/// returns once the poll is committed. When the buffer cannot store (disk full, file gone read-only), polls are held
/// in memory, oldest first, and appended again before any newer poll once the buffer takes them; the poller keeps
/// polling. The hold is bounded (<see cref="BufferOptions.MaxReadingsHeldInMemory"/>): past it the oldest held polls
/// are let go, counted, logged and announced upstream as a gap. Meanwhile the agent reports itself unhealthy
/// (<see cref="IsHealthy"/>: no systemd watchdog ping).
/// </summary>
internal sealed class BufferingReadingSink(ReadingBuffer buffer, IOptions<AgentOptions> options, ILogger<BufferingReadingSink> logger) : IReadingSink
{
    // Log the first event of a kind and then one in a hundred, so that a full disk does not also fill the journal.
    private const int LogEvery = 100;
    private readonly int _maxHeld = options.Value.Buffer.MaxReadingsHeldInMemory;
    private readonly Lock _gate = new();
    private readonly Queue<(string DeviceId, Proto.Reading[] Readings)> _held = new();
    private readonly SemaphoreSlim _replay = new(1, 1);
    private int _heldReadings;
    private long _lost;
    private long _holds;
    private long _drops;

    /// <summary>Readings that could not be kept (the hold was full) since start; each was announced as a gap.</summary>
    public long ReadingsLost => Interlocked.Read(ref _lost);

    /// <summary>Readings waiting in memory for the buffer to take them again.</summary>
    public int ReadingsHeld { get { lock (_gate) return _heldReadings; } }

    /// <summary>False while polls wait in memory or the buffer reports a failed store: readings are at risk.</summary>
    public bool IsHealthy => ReadingsHeld == 0 && buffer.IsHealthy;

    public async ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
    {
        if (batch.Readings.Count == 0) return;
        var readings = new Proto.Reading[batch.Readings.Count];
        for (var i = 0; i < readings.Length; i++) readings[i] = ToWire(batch.Readings[i]);

        // Older polls first: a new poll waits behind held ones, so the buffer keeps them in polling order.
        if (ReadingsHeld > 0 && !await ReplayHeldAsync(cancellationToken).ConfigureAwait(false))
        {
            Hold(batch.DeviceId, readings, "earlier polls are still waiting for the buffer");
            return;
        }
        try
        {
            await buffer.AppendAsync(batch.DeviceId, readings, callerRetries: true, cancellationToken).ConfigureAwait(false);
        }
        catch (BufferUnavailableException ex)
        {
            Hold(batch.DeviceId, readings, ex.Message);
        }
    }

    /// <summary>Appends held polls, oldest first, until none is left (true) or the buffer still refuses (false).</summary>
    private async Task<bool> ReplayHeldAsync(CancellationToken cancellationToken)
    {
        // One poller replays at a time; the others hold their poll behind the replay.
        if (!await _replay.WaitAsync(0, cancellationToken).ConfigureAwait(false)) return false;
        try
        {
            while (true)
            {
                (string DeviceId, Proto.Reading[] Readings) next;
                lock (_gate)
                {
                    if (_held.Count == 0) return true;
                    next = _held.Peek();
                }
                try
                {
                    await buffer.AppendAsync(next.DeviceId, next.Readings, callerRetries: true, cancellationToken).ConfigureAwait(false);
                }
                catch (BufferUnavailableException)
                {
                    return false;
                }
                int left;
                lock (_gate)
                {
                    // The hold may have let this poll go meanwhile (full); only dequeue it if it is still first.
                    if (_held.Count > 0 && ReferenceEquals(_held.Peek().Readings, next.Readings))
                    {
                        _held.Dequeue();
                        _heldReadings -= next.Readings.Length;
                    }
                    left = _heldReadings;
                }
                if (left == 0) BufferLog.HeldReadingsStored(logger);
            }
        }
        finally { _replay.Release(); }
    }

    private void Hold(string deviceId, Proto.Reading[] readings, string reason)
    {
        var dropped = new List<(string DeviceId, Proto.Reading[] Readings)>();
        int held;
        lock (_gate)
        {
            _held.Enqueue((deviceId, readings));
            _heldReadings += readings.Length;
            while (_heldReadings > _maxHeld && _held.Count > 0)
            {
                var oldest = _held.Dequeue();
                _heldReadings -= oldest.Readings.Length;
                dropped.Add(oldest);
            }
            held = _heldReadings;
        }
        if (Interlocked.Increment(ref _holds) % LogEvery == 1)
            BufferLog.ReadingsHeld(logger, deviceId, readings.Length, held, _maxHeld, reason);
        foreach (var (device, lost) in dropped)
        {
            buffer.RecordLoss(device, lost, $"the buffer was unavailable and the in-memory hold ({_maxHeld} readings) was full: {reason}");
            var total = Interlocked.Add(ref _lost, lost.Length);
            if (Interlocked.Increment(ref _drops) % LogEvery == 1)
                BufferLog.HeldReadingsDropped(logger, device, lost.Length, total, _maxHeld);
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
            SourceTimeUs = WireTime.ToMicroseconds(reading.SourceTimestamp),
        };
        if (reading.Value is { } value) wire.Value = value;
        return wire;
    }
}
