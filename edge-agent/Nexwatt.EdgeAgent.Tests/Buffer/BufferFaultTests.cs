using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Data.Sqlite;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>Damaged files at start, a folder that cannot be written, a full disk, a chunk that does not decode.</summary>
public sealed class BufferFaultTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Fills a closed buffer (checkpointed into the main file) with <paramref name="chunks"/> chunks of 100 readings.</summary>
    private async Task<List<BufferedChunk>> FillAsync(int chunks)
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);
        // All at once, like many pollers: group commit makes this a few transactions.
        var appended = await Task.WhenAll(Enumerable.Range(0, chunks).Select(i =>
            buffer.AppendAsync($"device-{i % 2}", TempFolder.Readings(100), CancellationToken.None).AsTask()));
        return [.. appended.OrderBy(c => c.Id)];
    }

    private string[] AsideFiles() => Directory.GetFiles(_folder.Root, "buffer.db.corrupt-*").Where(f => !f.EndsWith("-wal") && !f.EndsWith("-shm")).ToArray();

    [Fact]
    public async Task Garbage_over_the_header_moves_the_file_aside_and_the_agent_carries_on_with_a_fresh_store()
    {
        var old = await FillAsync(5);
        var original = await File.ReadAllBytesAsync(_folder.DatabasePath);
        await using (var file = File.OpenWrite(_folder.DatabasePath)) file.Write(new byte[100].Select((_, i) => (byte)(i * 37)).ToArray());
        var damaged = await File.ReadAllBytesAsync(_folder.DatabasePath);

        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);

        var aside = Assert.Single(AsideFiles());
        Assert.Equal(damaged, await File.ReadAllBytesAsync(aside)); // kept as it was, never deleted nor rewritten
        Assert.Equal(original.Length, damaged.Length);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2305 && e.Message.Contains(aside));
        Assert.Contains(_log.Entries, e => e.Id.Id == 2306);
        // Nothing was readable, so the sequence continues from the clock: above everything used before.
        var chunk = await buffer.AppendAsync("inverter", TempFolder.Readings(1), CancellationToken.None);
        Assert.True(chunk.FirstSequence > old[^1].LastSequence);
    }

    [Fact]
    public async Task A_truncated_file_is_salvaged_up_to_the_damage()
    {
        var old = await FillAsync(400);
        var length = new FileInfo(_folder.DatabasePath).Length;
        await using (var file = File.OpenWrite(_folder.DatabasePath)) file.SetLength(length / 2);

        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);

        Assert.Single(AsideFiles());
        var salvaged = await buffer.ReadAsync(0, ulong.MaxValue, int.MaxValue, CancellationToken.None);
        Assert.True(salvaged.Count is >= 50 and <= 399, $"{salvaged.Count} salvaged\n{_log.Text}");
        Assert.All(salvaged, c => Assert.Contains(old, o => o.Id == c.Id && o.LastSequence == c.LastSequence));
        Assert.Equal(salvaged.Count * 100, buffer.GetStatistics().ReadingsBuffered);
        Assert.True(buffer.NextSequence > old[^1].LastSequence, "the sequence counter survived in the meta row");
        await buffer.AppendAsync("inverter", TempFolder.Readings(1), CancellationToken.None);
    }

    [Fact]
    public async Task Garbage_in_the_middle_of_the_file_loses_only_the_damaged_region()
    {
        var old = await FillAsync(400);
        var length = new FileInfo(_folder.DatabasePath).Length;
        await using (var file = File.OpenWrite(_folder.DatabasePath))
        {
            // Twenty pages of garbage in the middle, page-aligned, where chunks (and b-tree pages) live.
            file.Position = length / 2 / 4096 * 4096;
            file.Write(Enumerable.Range(0, 20 * 4096).Select(i => (byte)(i * 131 + 7)).ToArray());
        }

        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);

        Assert.Single(AsideFiles());
        var salvaged = await buffer.ReadAsync(0, ulong.MaxValue, int.MaxValue, CancellationToken.None);
        Assert.InRange(salvaged.Count, 100, 399);
        Assert.True(buffer.NextSequence > old[^1].LastSequence);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2306);
    }

    [Fact]
    public async Task A_chunk_whose_payload_does_not_decode_is_skipped_dropped_and_announced_as_a_gap()
    {
        var old = await FillAsync(3);
        using (var db = SqliteDatabase.Open(_folder.DatabasePath, readOnly: false))
            db.Execute($"UPDATE chunks SET payload = x'0a05ffffffffff' WHERE id = {old[1].Id}");

        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);
        var read = await buffer.ReadAsync(0, ulong.MaxValue, int.MaxValue, CancellationToken.None);

        Assert.Equal([old[0].Id, old[2].Id], read.Select(c => c.Id));
        var gap = Assert.Single(await buffer.ReadGapsAsync(CancellationToken.None)).Gap;
        Assert.Equal((old[1].FirstSequence, old[1].LastSequence, 100UL), (gap.FirstSequence, gap.LastSequence, gap.ReadingsLost));
        Assert.Equal(200, buffer.GetStatistics().ReadingsBuffered);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2307);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_reported_appends_fail_cleanly_and_a_later_retry_succeeds()
    {
        // The parent of the database is a file: nothing can be created there (root ignores permission bits).
        var blocker = Path.Combine(_folder.Root, "state");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var options = new BufferOptions { Path = Path.Combine(blocker, "buffer.db"), CommitInterval = TimeSpan.FromMilliseconds(10), RetryInterval = TimeSpan.FromMilliseconds(10) };

        await using var buffer = ReadingBuffer.Open(options, TimeProvider.System, _log);
        Assert.False(buffer.GetStatistics().Available);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2303 && e.Message.Contains(blocker));
        var failure = await Assert.ThrowsAsync<BufferUnavailableException>(async () => await buffer.AppendAsync("inverter", TempFolder.Readings(7), CancellationToken.None));
        Assert.Contains("cannot be opened", failure.Message);

        File.Delete(blocker);
        await Task.Delay(50);
        var chunk = await buffer.AppendAsync("inverter", TempFolder.Readings(1), CancellationToken.None);
        Assert.True(buffer.GetStatistics().Available);

        // The 7 readings lost meanwhile are announced, with sequences of their own below the new chunk's.
        var gap = Assert.Single(await buffer.ReadGapsAsync(CancellationToken.None)).Gap;
        Assert.Equal(7UL, gap.ReadingsLost);
        Assert.StartsWith("buffer unavailable", gap.Reason);
        Assert.Equal(gap.LastSequence + 1, chunk.FirstSequence);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2304);
    }

    [Fact]
    public async Task A_full_disk_fails_the_append_keeps_the_stored_data_and_the_next_append_after_space_returns_succeeds()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);
        var kept = await buffer.AppendAsync("inverter", TempFolder.Readings(100), CancellationToken.None);
        // SQLITE_FULL exactly as a full disk gives it: cap the file at its current size.
        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1");

        var failure = await Assert.ThrowsAsync<BufferUnavailableException>(async () =>
            await buffer.AppendAsync("inverter", TempFolder.Readings(2000), CancellationToken.None));
        Assert.Contains("full", failure.Message);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2309 && e.Message.Contains("full"));
        Assert.Equal([kept.Id], (await buffer.ReadAsync(0, ulong.MaxValue, 10_000, CancellationToken.None)).Select(c => c.Id));

        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1000000");
        var next = await buffer.AppendAsync("inverter", TempFolder.Readings(5), CancellationToken.None);
        var gap = Assert.Single(await buffer.ReadGapsAsync(CancellationToken.None)).Gap;
        Assert.Equal(2000UL, gap.ReadingsLost);
        Assert.True(gap.FirstSequence > kept.LastSequence && gap.LastSequence < next.FirstSequence);
        Assert.Equal(105, buffer.GetStatistics().ReadingsBuffered);
    }

    [Fact]
    public async Task A_store_from_a_newer_agent_is_kept_aside_and_a_fresh_one_started()
    {
        await FillAsync(1);
        using (var db = SqliteDatabase.Open(_folder.DatabasePath, readOnly: false)) db.Execute("UPDATE schema_version SET version = 99");

        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, _log);

        Assert.Single(Directory.GetFiles(_folder.Root, "buffer.db.newer-*"));
        Assert.Equal(0, buffer.GetStatistics().ReadingsBuffered);
        Assert.Contains(_log.Entries, e => e.Id.Id == 2310);
    }
}
