using LiteDB;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.Buffer;

/// <summary>
/// LiteDB 5 as the buffer, in two shapes: a document per reading (how a document store is naturally used), or a
/// document per poll carrying the same <see cref="ChunkCodec"/> payload as ours (the engine alone compared). Each
/// append is one transaction. LiteDB's Commit writes its log file without fsync (only Checkpoint flushes), so what
/// it calls committed survives a killed process but not a power cut, unless every commit is followed by a Checkpoint.
/// </summary>
internal sealed class LiteDbBufferContender : IBufferContender
{
    public const string PerReadingName = "LiteDB 5.0.21, a document per reading";
    public const string PerPollName = "LiteDB 5.0.21, our encoded poll per document";
    public const string PerPollCheckpointName = "LiteDB 5.0.21, encoded poll, Checkpoint per commit";
    private const int DrainDocuments = 10_000;

    private readonly string _path;
    private readonly bool _perReading;
    private readonly bool _checkpointEachCommit;
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<ReadingDocument> _readings;
    private readonly ILiteCollection<PollDocument> _polls;
    private readonly Lock _gate = new();
    private long _nextId;

    /// <param name="checkpointEachCommit">Checkpoint after every commit: the only call that flushes to the device, so the
    /// one way to give LiteDB the power-cut guarantee our buffer has (synchronous=FULL).</param>
    public LiteDbBufferContender(string path, bool perReading, bool checkpointEachCommit = false)
    {
        _path = path;
        _perReading = perReading;
        _checkpointEachCommit = checkpointEachCommit;
        _database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _readings = _database.GetCollection<ReadingDocument>("readings");
        _polls = _database.GetCollection<PollDocument>("polls");
        // Ids continue above whatever a previous (killed) writer committed.
        var last = perReading
            ? _readings.Query().OrderByDescending(d => d.Id).Select(d => d.Id).Limit(1).ToList()
            : _polls.Query().OrderByDescending(d => d.Id).Select(d => d.Id).Limit(1).ToList();
        _nextId = last.Count > 0 ? last[0] + 1 : 1;
    }

    public long BytesOnDisk => FileLength(_path) + FileLength(Path.ChangeExtension(_path, null) + "-log" + Path.GetExtension(_path));

    public ValueTask<long> AppendAsync(string deviceId, IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        // LiteDB's transactions belong to the calling thread and writers queue on its collection lock; ids are ours,
        // handed out under the same lock so that id order is append order, as in the agent's buffer.
        lock (_gate)
        {
            var first = _nextId;
            _nextId += _perReading ? readings.Count : 1;
            _database.BeginTrans();
            if (_perReading)
                _readings.InsertBulk(readings.Select((r, i) => new ReadingDocument
                {
                    Id = first + i, DeviceId = deviceId, ModelId = (int)r.ModelId, ModelInstance = (int)r.ModelInstance, Point = r.Point,
                    Unit = r.Unit, Value = r.Value, Quality = (int)r.Quality, SourceTimeUs = r.SourceTimeUs,
                }));
            else
                _polls.Insert(new PollDocument
                {
                    Id = first, DeviceId = deviceId, FirstTimeUs = readings[0].SourceTimeUs, ReadingCount = readings.Count,
                    Payload = ChunkCodec.Encode(readings, deviceId),
                });
            _database.Commit();
            if (_checkpointEachCommit) _database.Checkpoint();
            return ValueTask.FromResult(_perReading ? first + readings.Count - 1 : first);
        }
    }

    public ValueTask<long> DrainAsync(CancellationToken cancellationToken)
    {
        long drained = 0, cursor = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            long last;
            if (_perReading)
            {
                var page = _readings.Query().Where(d => d.Id >= cursor).OrderBy(d => d.Id).Limit(DrainDocuments).ToList();
                if (page.Count == 0) break;
                last = page[^1].Id;
                drained += page.Count;
                _readings.DeleteMany(d => d.Id <= last);
            }
            else
            {
                var page = _polls.Query().Where(d => d.Id >= cursor).OrderBy(d => d.Id).Limit(DrainDocuments / 100).ToList();
                if (page.Count == 0) break;
                foreach (var poll in page)
                {
                    if (!ChunkCodec.TryDecode(poll.Payload, poll.DeviceId, out var readings)) throw new InvalidDataException($"poll {poll.Id} does not decode");
                    drained += readings.Count;
                }
                last = page[^1].Id;
                _polls.DeleteMany(d => d.Id <= last);
            }
            cursor = last + 1;
        }
        return ValueTask.FromResult(drained);
    }

    public ValueTask<IReadOnlySet<long>> StoredIdsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<long>>(_perReading
            ? _readings.Query().Select(d => d.Id).ToEnumerable().ToHashSet()
            : _polls.Query().Select(d => d.Id).ToEnumerable().ToHashSet());

    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    internal sealed class ReadingDocument
    {
        public long Id { get; set; }
        public string DeviceId { get; set; } = "";
        public int ModelId { get; set; }
        public int ModelInstance { get; set; }
        public string Point { get; set; } = "";
        public string Unit { get; set; } = "";
        public double Value { get; set; }
        public int Quality { get; set; }
        public long SourceTimeUs { get; set; }
    }

    internal sealed class PollDocument
    {
        public long Id { get; set; }
        public string DeviceId { get; set; } = "";
        public long FirstTimeUs { get; set; }
        public int ReadingCount { get; set; }
        public byte[] Payload { get; set; } = [];
    }
}
