namespace Nexwatt.Collector.Storage.Sqlite;

/// <summary>
/// The embedded schema (version <see cref="StorageCodes.SchemaVersion"/>); see ../README.md. Times are microseconds
/// since the Unix epoch. Tables keyed for bulk ingest are WITHOUT ROWID: the primary key is the table, so a
/// deduplicating insert touches one b-tree.
/// </summary>
internal static class SqliteSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS sites (
            site_id TEXT PRIMARY KEY,
            token_sha256 TEXT,
            certificate_subject TEXT,
            created_at INTEGER NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS sites_token ON sites (token_sha256);
        CREATE TABLE IF NOT EXISTS assets (
            asset_id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            inverter TEXT,
            capacity_kw REAL NOT NULL,
            storage_kwh REAL,
            meter_id TEXT,
            iso_zone TEXT NOT NULL,
            telemetry_interval_us INTEGER NOT NULL,
            site_id TEXT,
            device_id TEXT,
            status TEXT NOT NULL,
            registered_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS assets_device ON assets (site_id, device_id);
        CREATE INDEX IF NOT EXISTS assets_zone ON assets (iso_zone);
        CREATE TABLE IF NOT EXISTS readings (
            site_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            device_id TEXT NOT NULL,
            model_id INTEGER NOT NULL,
            model_instance INTEGER NOT NULL,
            point TEXT NOT NULL,
            value REAL,
            text TEXT,
            unit TEXT NOT NULL,
            quality INTEGER NOT NULL,
            source_time INTEGER NOT NULL,
            received_time INTEGER NOT NULL,
            historical INTEGER NOT NULL,
            PRIMARY KEY (site_id, sequence)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS gaps (
            site_id TEXT NOT NULL,
            first_sequence INTEGER NOT NULL,
            last_sequence INTEGER NOT NULL,
            readings_lost INTEGER NOT NULL,
            from_time INTEGER NOT NULL,
            to_time INTEGER NOT NULL,
            device_ids TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (site_id, first_sequence, last_sequence)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS samples (
            site_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            measurement INTEGER NOT NULL,
            asset_id TEXT NOT NULL,
            value REAL NOT NULL,
            source_time INTEGER NOT NULL,
            received_time INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            historical INTEGER NOT NULL,
            PRIMARY KEY (site_id, sequence, measurement)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS samples_asset_time ON samples (asset_id, measurement, source_time);
        CREATE TABLE IF NOT EXISTS intervals (
            asset_id TEXT NOT NULL,
            measurement INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            length_us INTEGER NOT NULL,
            average REAL,
            minimum REAL,
            maximum REAL,
            last REAL,
            coverage REAL NOT NULL,
            sample_count INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            PRIMARY KEY (asset_id, measurement, start_time)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS latest (
            asset_id TEXT NOT NULL,
            measurement INTEGER NOT NULL,
            value REAL NOT NULL,
            source_time INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            PRIMARY KEY (asset_id, measurement)) WITHOUT ROWID;
        """;

    public const string InsertReading = """
        INSERT OR IGNORE INTO readings (site_id, sequence, device_id, model_id, model_instance, point, value, text, unit,
            quality, source_time, received_time, historical)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
        """;

    public const string InsertSample = """
        INSERT OR IGNORE INTO samples (site_id, sequence, measurement, asset_id, value, source_time, received_time, flags, historical)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """;

    // Only a newer sample replaces the latest value: a replayed backlog never rolls "now" back.
    public const string UpsertLatest = """
        INSERT INTO latest (asset_id, measurement, value, source_time, flags) VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (asset_id, measurement) DO UPDATE SET value = excluded.value, source_time = excluded.source_time, flags = excluded.flags
        WHERE excluded.source_time > latest.source_time
        """;

    public const string UpsertInterval = """
        INSERT INTO intervals (asset_id, measurement, start_time, length_us, average, minimum, maximum, last, coverage, sample_count, flags)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        ON CONFLICT (asset_id, measurement, start_time) DO UPDATE SET length_us = excluded.length_us, average = excluded.average,
            minimum = excluded.minimum, maximum = excluded.maximum, last = excluded.last, coverage = excluded.coverage,
            sample_count = excluded.sample_count, flags = excluded.flags
        """;

    public const string InsertGap = """
        INSERT OR IGNORE INTO gaps (site_id, first_sequence, last_sequence, readings_lost, from_time, to_time, device_ids, reason)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """;
}
