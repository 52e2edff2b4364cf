using SQLitePCL;

namespace Nexwatt.Data.Sqlite;

/// <summary>An open transaction of one <see cref="SqliteDatabase"/>: committed by <see cref="Commit"/>, otherwise rolled back on dispose.</summary>
public sealed class SqliteTransaction : IDisposable
{
    private readonly SqliteDatabase _database;
    private bool _finished;

    internal SqliteTransaction(SqliteDatabase database) => _database = database;

    public void Commit()
    {
        _database.Execute("COMMIT");
        _finished = true;
    }

    public void Dispose()
    {
        if (_finished) return;
        _finished = true;
        // A failed statement may already have ended the transaction (e.g. SQLITE_FULL rolls back by itself); then
        // ROLLBACK reports "no transaction is active", which is not worth masking the original error with.
        try { _database.Execute("ROLLBACK"); }
        catch (SqliteException ex) when (ex.PrimaryCode == raw.SQLITE_ERROR) { }
    }
}
