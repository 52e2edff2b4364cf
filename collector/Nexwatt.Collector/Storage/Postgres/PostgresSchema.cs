namespace Nexwatt.Collector.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema (version <see cref="StorageCodes.SchemaVersion"/>), the same tables and keys as the SQLite
/// one (see ../README.md). Times are microseconds since the Unix epoch in bigint, as in SQLite. Key text columns
/// use the "C" collation: byte order, as in SQLite, whatever the database's locale, and the cheapest comparison
/// in the b-trees that every deduplicating insert probes.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Held while the schema is created, so that collectors starting together do not race on the catalog.</summary>
    public const long InitializationLockKey = 0x4E65_7877_6174_7431; // "Nexwatt1"

    public const string Create = """
        CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
        CREATE TABLE IF NOT EXISTS sites (
            site_id text COLLATE "C" PRIMARY KEY,
            token_sha256 text,
            certificate_subject text,
            created_at bigint NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS sites_token ON sites (token_sha256);
        CREATE TABLE IF NOT EXISTS assets (
            asset_id text COLLATE "C" PRIMARY KEY,
            type text NOT NULL,
            inverter text,
            capacity_kw double precision NOT NULL,
            storage_kwh double precision,
            meter_id text,
            iso_zone text NOT NULL,
            telemetry_interval_us bigint NOT NULL,
            site_id text,
            device_id text,
            status text NOT NULL,
            registered_at bigint NOT NULL,
            updated_at bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS assets_device ON assets (site_id, device_id);
        CREATE INDEX IF NOT EXISTS assets_zone ON assets (iso_zone);
        CREATE TABLE IF NOT EXISTS readings (
            site_id text COLLATE "C" NOT NULL,
            sequence bigint NOT NULL,
            device_id text NOT NULL,
            model_id integer NOT NULL,
            model_instance integer NOT NULL,
            point text NOT NULL,
            value double precision,
            text text,
            unit text NOT NULL,
            quality smallint NOT NULL,
            source_time bigint NOT NULL,
            received_time bigint NOT NULL,
            historical boolean NOT NULL,
            PRIMARY KEY (site_id, sequence));
        CREATE TABLE IF NOT EXISTS gaps (
            site_id text COLLATE "C" NOT NULL,
            first_sequence bigint NOT NULL,
            last_sequence bigint NOT NULL,
            readings_lost bigint NOT NULL,
            from_time bigint NOT NULL,
            to_time bigint NOT NULL,
            device_ids text[] NOT NULL,
            reason text NOT NULL,
            PRIMARY KEY (site_id, first_sequence, last_sequence));
        CREATE TABLE IF NOT EXISTS samples (
            site_id text COLLATE "C" NOT NULL,
            sequence bigint NOT NULL,
            measurement smallint NOT NULL,
            asset_id text COLLATE "C" NOT NULL,
            value double precision NOT NULL,
            source_time bigint NOT NULL,
            received_time bigint NOT NULL,
            flags integer NOT NULL,
            historical boolean NOT NULL,
            PRIMARY KEY (site_id, sequence, measurement));
        CREATE INDEX IF NOT EXISTS samples_asset_time ON samples (asset_id, measurement, source_time);
        CREATE TABLE IF NOT EXISTS intervals (
            asset_id text COLLATE "C" NOT NULL,
            measurement smallint NOT NULL,
            start_time bigint NOT NULL,
            length_us bigint NOT NULL,
            average double precision,
            minimum double precision,
            maximum double precision,
            last double precision,
            coverage double precision NOT NULL,
            sample_count integer NOT NULL,
            flags integer NOT NULL,
            PRIMARY KEY (asset_id, measurement, start_time));
        CREATE TABLE IF NOT EXISTS latest (
            asset_id text COLLATE "C" NOT NULL,
            measurement smallint NOT NULL,
            value double precision NOT NULL,
            source_time bigint NOT NULL,
            flags integer NOT NULL,
            PRIMARY KEY (asset_id, measurement));
        """;

    public const string ReadingColumns =
        "site_id, sequence, device_id, model_id, model_instance, point, value, text, unit, quality, source_time, received_time, historical";

    public const string SampleColumns = "site_id, sequence, measurement, asset_id, value, source_time, received_time, flags, historical";

    public const string IntervalColumns =
        "asset_id, measurement, start_time, length_us, average, minimum, maximum, last, coverage, sample_count, flags";

    // Staging tables live for one transaction. (A session-lived ON COMMIT DELETE ROWS table, which saves the catalog
    // churn, measured 6 times slower here: keep the fresh table, whose plan is a nested loop of index probes.) The INSERT ... SELECT takes rows in key order, so that two batches
    // sharing keys lock them in the same order and cannot deadlock.
    public const string StageReadings = "CREATE TEMP TABLE readings_staging (LIKE readings) ON COMMIT DROP";

    // Readings are the volume (200,000/s is the goal). A batch seen for the first time (the sites' sequence ranges
    // hold nothing yet: one index probe per site) is copied straight into the table. Only a redelivery goes through a
    // staging table and an anti-join, never ON CONFLICT: its speculative insertion costs about twice a plain insert
    // per row (measured here: 1M rows in 6.0 s against 3.2 s), the anti-join about 1.25 times (4.1 s). Both are
    // race-free because every writer first takes a transaction lock per site, in site order (no deadlock), and under
    // READ COMMITTED the probe and the INSERT, later statements, see every batch committed before the lock was
    // granted. The primary key stays: a writer that skipped the lock would fail loudly, never double-count.
    // $2 is the lock namespace, one per table (ReadingsLocks, SamplesLocks): a transaction takes one namespace's locks only.
    public const string LockSites = """
        SELECT pg_advisory_xact_lock(hashtextextended($2::text || site_id, 0))
        FROM (SELECT DISTINCT site_id COLLATE "C" AS site_id FROM unnest($1::text[]) AS sites(site_id) ORDER BY 1) sorted
        """;

    public const string ReadingsLocks = "nexwatt.readings/";

    public const string SamplesLocks = "nexwatt.samples/";

    public const string AnyReadingInRanges = """
        SELECT EXISTS (SELECT 1 FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS ranges(site_id, first, last)
            WHERE EXISTS (SELECT 1 FROM readings r WHERE r.site_id = ranges.site_id AND r.sequence BETWEEN ranges.first AND ranges.last))
        """;

    public const string MergeReadings = $"""
        INSERT INTO readings ({ReadingColumns})
        SELECT DISTINCT ON (site_id, sequence) {ReadingColumns} FROM readings_staging s
        WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.site_id = s.site_id AND r.sequence = s.sequence)
        ORDER BY site_id, sequence
        """;

    // Samples take the readings' road: with assets linked, staging them (the path below) cost as much as inserting
    // the readings, and PostgreSQL spent 10-12 µs of CPU per reading instead of about 5 without assets (the collector
    // ingest benchmark, bench/). A batch whose keys are distinct (SequenceRanges) and whose sites' sequence ranges hold no
    // sample yet is copied straight into the table; anything else is staged. The same argument makes it race-free:
    // every samples writer, fast or staged, first takes its sites' locks in the SamplesLocks namespace (sorted, as
    // for readings), so the probe sees every batch of those sites committed before, and none can commit in between.
    // The probe is coarser than the key (a stored sample of another measurement in the range sends the batch to the
    // staging path): a slower answer, never a wrong one.
    public const string AnySampleInRanges = """
        SELECT EXISTS (SELECT 1 FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS ranges(site_id, first, last)
            WHERE EXISTS (SELECT 1 FROM samples s WHERE s.site_id = ranges.site_id AND s.sequence BETWEEN ranges.first AND ranges.last))
        """;

    // The fast path's latest values: the newest sample per (asset, measurement), chosen in C#
    // (StorageBatches.NewestPerMeasurement, as the SQLite store does) and sent as arrays, a few rows per batch. Same rule
    // as MergeLatest: only a newer sample replaces the latest value. Rows go in key order, as in MergeLatest, so that two
    // batches touching the same assets lock their rows in one order.
    public const string UpsertLatest = """
        INSERT INTO latest (asset_id, measurement, value, source_time, flags)
        SELECT asset_id, measurement, value, source_time, flags
        FROM unnest($1::text[], $2::smallint[], $3::double precision[], $4::bigint[], $5::integer[]) AS newest(asset_id, measurement, value, source_time, flags)
        ORDER BY asset_id COLLATE "C", measurement
        ON CONFLICT (asset_id, measurement) DO UPDATE SET value = excluded.value, source_time = excluded.source_time, flags = excluded.flags
        WHERE excluded.source_time > latest.source_time
        """;

    public const string StageSamples = "CREATE TEMP TABLE samples_staging (LIKE samples) ON COMMIT DROP";

    public const string MergeSamples = $"""
        INSERT INTO samples ({SampleColumns}) SELECT {SampleColumns} FROM samples_staging
        ORDER BY site_id, sequence, measurement ON CONFLICT (site_id, sequence, measurement) DO NOTHING
        """;

    // Only a newer sample replaces the latest value: a replayed backlog never rolls "now" back. A sample flagged Future
    // (64) never does (as StorageBatches.NewestPerMeasurement).
    public const string MergeLatest = """
        INSERT INTO latest (asset_id, measurement, value, source_time, flags)
        SELECT DISTINCT ON (asset_id, measurement) asset_id, measurement, value, source_time, flags FROM samples_staging
        WHERE (flags & 64) = 0
        ORDER BY asset_id, measurement, source_time DESC, sequence DESC
        ON CONFLICT (asset_id, measurement) DO UPDATE SET value = excluded.value, source_time = excluded.source_time, flags = excluded.flags
        WHERE excluded.source_time > latest.source_time
        """;

    public const string StageIntervals = "CREATE TEMP TABLE intervals_staging (LIKE intervals) ON COMMIT DROP";

    public const string MergeIntervals = $"""
        INSERT INTO intervals ({IntervalColumns}) SELECT {IntervalColumns} FROM intervals_staging
        ORDER BY asset_id, measurement, start_time
        ON CONFLICT (asset_id, measurement, start_time) DO UPDATE SET length_us = excluded.length_us, average = excluded.average,
            minimum = excluded.minimum, maximum = excluded.maximum, last = excluded.last, coverage = excluded.coverage,
            sample_count = excluded.sample_count, flags = excluded.flags
        """;

    public const string InsertGap = """
        INSERT INTO gaps (site_id, first_sequence, last_sequence, readings_lost, from_time, to_time, device_ids, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
        """;
}
