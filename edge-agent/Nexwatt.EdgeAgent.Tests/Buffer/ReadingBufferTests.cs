using Nexwatt.EdgeAgent.Buffer;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>The buffer's contract: append, read, acknowledge; sequences; group commit; eviction with a gap.</summary>
public sealed class ReadingBufferTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Appended_readings_are_read_back_in_order_and_leave_only_when_acknowledged()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);
        var a = await buffer.AppendAsync("inverter", TempFolder.Readings(3), CancellationToken.None);
        var b = await buffer.AppendAsync("battery", TempFolder.Readings(2, point: "SoC"), CancellationToken.None);

        Assert.Equal(a.LastSequence + 1, b.FirstSequence);
        Assert.Equal(a.FirstSequence + 2, a.LastSequence);
        Assert.Equal((long)a.FirstSequence, a.Id);

        var read = await buffer.ReadAsync(0, ulong.MaxValue, 1000, CancellationToken.None);
        Assert.Equal([a.Id, b.Id], read.Select(c => c.Id));
        Assert.Equal(["inverter", "inverter", "inverter"], read[0].Readings.Select(r => r.DeviceId));
        Assert.Equal([a.FirstSequence, a.FirstSequence + 1, a.FirstSequence + 2], read[0].Readings.Select(r => r.Sequence));
        Assert.Equal(3.0, read[0].Readings[2].Value);
        Assert.Equal("SoC1", read[1].Readings[1].Point);
        Assert.Equal(1_780_000_000_000_000, read[1].FirstTimeUs);

        // A range and a reading limit: the first chunk alone already reaches 1 reading.
        Assert.Single(await buffer.ReadAsync(0, ulong.MaxValue, 1, CancellationToken.None));
        Assert.Equal([b.Id], (await buffer.ReadAsync(a.FirstSequence + 1, ulong.MaxValue, 1000, CancellationToken.None)).Select(c => c.Id));

        await buffer.AcknowledgeAsync([a.Id], CancellationToken.None);
        Assert.Equal([b.Id], (await buffer.ReadAsync(0, ulong.MaxValue, 1000, CancellationToken.None)).Select(c => c.Id));
        var stats = buffer.GetStatistics();
        Assert.Equal(2, stats.ReadingsBuffered);
        Assert.Equal(1, stats.ChunksBuffered);
        Assert.Equal(1_780_000_000_000_000, stats.OldestTimeUs);
        Assert.True(stats.BytesOnDisk > 0);
        Assert.True(stats.BytesWrittenTotal > 0 && stats.BytesWrittenPerDay > 0, stats.ToString());

        await buffer.AcknowledgeAsync([b.Id, b.Id, 12345], CancellationToken.None); // twice and unknown: no error
        Assert.Empty(await buffer.ReadAsync(0, ulong.MaxValue, 1000, CancellationToken.None));
        Assert.Equal(0, buffer.GetStatistics().ReadingsBuffered);
    }

    [Fact]
    public async Task Sequences_strictly_increase_and_are_never_reused_even_after_everything_was_delivered_and_the_agent_restarted()
    {
        ulong last;
        await using (var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log))
        {
            var chunk = await buffer.AppendAsync("inverter", TempFolder.Readings(5), CancellationToken.None);
            await buffer.AcknowledgeAsync([chunk.Id], CancellationToken.None);
            last = chunk.LastSequence;
            Assert.Equal(last + 1, buffer.NextSequence);
        }
        await using (var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log))
        {
            Assert.Equal(last + 1, buffer.NextSequence);
            var next = await buffer.AppendAsync("inverter", TempFolder.Readings(1), CancellationToken.None);
            Assert.Equal(last + 1, next.FirstSequence);
        }
    }

    [Fact]
    public async Task A_fresh_store_starts_its_sequences_at_the_clock_so_a_lost_store_cannot_repeat_old_ones()
    {
        var time = new Nexwatt.Testing.FakeTimeProvider(new DateTimeOffset(2026, 6, 21, 12, 0, 0, TimeSpan.Zero));
        await using var buffer = ReadingBuffer.Open(_folder.Options(), time, _log);
        Assert.Equal((ulong)new DateTimeOffset(2026, 6, 21, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000, buffer.NextSequence);
    }

    [Fact]
    public async Task Many_concurrent_appends_share_a_few_commits()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(o => o.CommitInterval = TimeSpan.FromMilliseconds(250)), TimeProvider.System, _log);
        var before = buffer.GetStatistics().CommitsTotal;
        var chunks = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(async () => await buffer.AppendAsync($"device-{i % 20}", TempFolder.Readings(10), CancellationToken.None))));

        var commits = buffer.GetStatistics().CommitsTotal - before;
        Assert.InRange(commits, 1, 4);
        var sequences = chunks.SelectMany(c => c.Readings.Select(r => r.Sequence)).Order().ToList();
        Assert.Equal(2000, sequences.Distinct().Count());
        Assert.Equal(sequences[0] + 1999, sequences[^1]);
    }

    [Fact]
    public async Task CommitMaxReadings_commits_without_waiting_for_the_interval()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(o => { o.CommitInterval = TimeSpan.FromSeconds(10); o.CommitMaxReadings = 100; }),
            TimeProvider.System, _log);
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => buffer.AppendAsync("inverter", TempFolder.Readings(10), CancellationToken.None).AsTask()));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Appends_wait_for_the_commit_interval_measured_with_the_injected_clock()
    {
        var time = new Nexwatt.Testing.FakeTimeProvider();
        await using var buffer = ReadingBuffer.Open(_folder.Options(o => o.CommitInterval = TimeSpan.FromSeconds(1)), time, _log);
        var append = buffer.AppendAsync("inverter", TempFolder.Readings(1), CancellationToken.None).AsTask();
        await Task.Delay(200);
        Assert.False(append.IsCompleted);
        // The writer may still be on its way to the timer: keep advancing until the commit releases the append.
        for (var i = 0; i < 100 && !append.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        Assert.Single((await append).Readings);
    }

    [Fact]
    public async Task FlushAsync_and_dispose_commit_what_is_queued()
    {
        Task<BufferedChunk>[] pending;
        await using (var buffer = ReadingBuffer.Open(_folder.Options(o => o.CommitInterval = TimeSpan.FromSeconds(10)), TimeProvider.System, _log))
        {
            var first = buffer.AppendAsync("inverter", TempFolder.Readings(1), CancellationToken.None).AsTask();
            await buffer.FlushAsync(CancellationToken.None);
            // Well within the 10 s commit interval: the flush committed it.
            await first.WaitAsync(TimeSpan.FromSeconds(5));
            pending = [.. Enumerable.Range(0, 5).Select(_ => buffer.AppendAsync("inverter", TempFolder.Readings(2), CancellationToken.None).AsTask())];
        }
        await Task.WhenAll(pending);
        await using var reopened = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);
        Assert.Equal(11, reopened.GetStatistics().ReadingsBuffered);
    }

    [Fact]
    public async Task A_full_buffer_evicts_the_oldest_chunks_and_records_one_gap_per_round()
    {
        var options = _folder.Options(o => o.MaxBytes = 1024 * 1024);
        await using var buffer = ReadingBuffer.Open(options, TimeProvider.System, _log);
        var appended = new List<BufferedChunk>();
        // About 5 KB per chunk: 300 chunks are ~1.5 MB, past the 1 MiB limit.
        for (var i = 0; i < 300; i++)
            appended.Add(await buffer.AppendAsync($"device-{i % 3}", TempFolder.Readings(100, timeUs: 1_780_000_000_000_000 + i * 1000), CancellationToken.None));

        var stats = buffer.GetStatistics();
        var gaps = await buffer.ReadGapsAsync(CancellationToken.None);
        Assert.NotEmpty(gaps);
        Assert.True(stats.ReadingsEvictedTotal > 0);
        Assert.Equal(stats.ReadingsEvictedTotal, gaps.Sum(g => (long)g.Gap.ReadingsLost));
        Assert.Equal(30_000, stats.ReadingsBuffered + stats.ReadingsEvictedTotal);

        var first = gaps[0].Gap;
        Assert.Equal("buffer full", first.Reason);
        Assert.Equal(appended[0].FirstSequence, first.FirstSequence);
        Assert.Equal(["device-0", "device-1", "device-2"], first.DeviceIds);
        Assert.Equal(appended[0].FirstTimeUs, first.FromTimeUs);
        // Gaps are contiguous, and what remains starts right after the last one.
        for (var i = 1; i < gaps.Count; i++) Assert.Equal(gaps[i - 1].Gap.LastSequence + 1, gaps[i].Gap.FirstSequence);
        var remaining = await buffer.ReadAsync(0, ulong.MaxValue, int.MaxValue, CancellationToken.None);
        Assert.Equal(gaps[^1].Gap.LastSequence + 1, remaining[0].FirstSequence);
        Assert.Equal(appended[^1].Id, remaining[^1].Id);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2302);

        await buffer.AcknowledgeGapsAsync([.. gaps.Select(g => g.Id)], CancellationToken.None);
        Assert.Empty(await buffer.ReadGapsAsync(CancellationToken.None));
        await buffer.DisposeAsync();

        // The eviction total is persisted.
        await using var reopened = ReadingBuffer.Open(options, TimeProvider.System, _log);
        Assert.Equal(stats.ReadingsEvictedTotal, reopened.GetStatistics().ReadingsEvictedTotal);
    }

    [Fact]
    public async Task A_second_buffer_on_the_same_file_is_refused_not_allowed_to_reuse_sequences()
    {
        await using var first = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);
        await using var second = ReadingBuffer.Open(_folder.Options(o => o.RetryInterval = TimeSpan.FromMinutes(5)), TimeProvider.System, _log);
        await Assert.ThrowsAsync<BufferUnavailableException>(async () => await second.AppendAsync("x", TempFolder.Readings(1), CancellationToken.None));
        Assert.Contains("in use by another process", _log.Text);
        await first.AppendAsync("x", TempFolder.Readings(1), CancellationToken.None);
    }
}
