using SQLitePCL;

namespace Nexwatt.Data.Sqlite;

/// <summary>
/// One SQLite connection through the raw SQLitePCLRaw API (Microsoft.Data.Sqlite costs 1.7× the CPU per
/// append on the same native build: docs/decisions/0004-sqlite-raw-api-current-bundle.md). Not
/// thread-safe: each owner serializes its own calls (the buffer's writer loop, or the read lock).
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly sqlite3 _db;
    private long _pagesWritten;

    static SqliteDatabase() => Batteries_V2.Init();

    private SqliteDatabase(sqlite3 db, string path)
    {
        _db = db;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The version of the SQLite library this process loaded (the bundle's native build), e.g. "3.53.4".</summary>
    public static string LibraryVersion => raw.sqlite3_libversion().utf8_to_string();

    public static SqliteDatabase Open(string path, bool readOnly)
    {
        var flags = readOnly ? raw.SQLITE_OPEN_READONLY : raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE;
        // NOMUTEX: every connection is already used by one caller at a time, so SQLite's own mutex is pure cost.
        var rc = raw.sqlite3_open_v2(path, out var db, flags | raw.SQLITE_OPEN_NOMUTEX, null);
        if (rc != raw.SQLITE_OK)
        {
            var message = db is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(db).utf8_to_string();
            db?.Dispose();
            throw new SqliteException($"cannot open {path}: {message}", rc);
        }
        raw.sqlite3_extended_result_codes(db, 1);
        // Another connection of ours may hold the write lock for a moment (a checkpoint); wait rather than fail.
        raw.sqlite3_busy_timeout(db, 5000);
        return new SqliteDatabase(db, path);
    }

    public void Execute(string sql)
    {
        var rc = raw.sqlite3_exec(_db, sql, out var error);
        if (rc != raw.SQLITE_OK) throw new SqliteException($"{error ?? raw.sqlite3_errstr(rc).utf8_to_string()} ({Shorten(sql)})", raw.sqlite3_extended_errcode(_db));
    }

    public SqliteStatement Prepare(string sql)
    {
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
        Check(rc, sql);
        return new SqliteStatement(this, statement, sql);
    }

    /// <summary>Rows changed by the last INSERT, UPDATE or DELETE on this connection (0 for an ignored conflict).</summary>
    public int Changes => raw.sqlite3_changes(_db);

    /// <summary>
    /// Begins a transaction (IMMEDIATE takes the write lock at once, so that a writer never fails to upgrade a read
    /// lock); it rolls back on dispose unless <see cref="SqliteTransaction.Commit"/> was called.
    /// </summary>
    public SqliteTransaction BeginTransaction(bool immediate = true)
    {
        Execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
        return new SqliteTransaction(this);
    }

    public long ScalarInt64(string sql)
    {
        using var statement = Prepare(sql);
        return statement.Step() ? statement.Int64(0) : 0;
    }

    public string ScalarText(string sql)
    {
        using var statement = Prepare(sql);
        return statement.Step() ? statement.Text(0) ?? "" : "";
    }

    /// <summary>
    /// Pages this connection has written to the WAL since it was opened (SQLITE_DBSTATUS_CACHE_WRITE, read and
    /// reset so that the int counter never overflows).
    /// </summary>
    public long PagesWritten()
    {
        raw.sqlite3_db_status(_db, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var current, out _, 1);
        _pagesWritten += current;
        return _pagesWritten;
    }

    public void Check(int rc, string sql)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE) return;
        throw new SqliteException($"{raw.sqlite3_errmsg(_db).utf8_to_string()} ({Shorten(sql)})", raw.sqlite3_extended_errcode(_db));
    }

    private static string Shorten(string sql) => sql.Length <= 60 ? sql : sql[..60] + "...";

    public void Dispose() => raw.sqlite3_close_v2(_db);
}
