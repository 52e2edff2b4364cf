using SQLitePCL;

namespace Nexwatt.Data.Sqlite;

/// <summary>A prepared statement, prepared once and reused with bind / step / reset.</summary>
public sealed class SqliteStatement(SqliteDatabase database, sqlite3_stmt statement, string sql) : IDisposable
{
    public SqliteStatement Bind(int index, long value)
    {
        database.Check(raw.sqlite3_bind_int64(statement, index, value), sql);
        return this;
    }

    public SqliteStatement Bind(int index, string value)
    {
        database.Check(raw.sqlite3_bind_text(statement, index, value), sql);
        return this;
    }

    public SqliteStatement Bind(int index, ReadOnlySpan<byte> value)
    {
        database.Check(raw.sqlite3_bind_blob(statement, index, value), sql);
        return this;
    }

    public SqliteStatement Bind(int index, double value)
    {
        database.Check(raw.sqlite3_bind_double(statement, index, value), sql);
        return this;
    }

    public SqliteStatement BindNull(int index)
    {
        database.Check(raw.sqlite3_bind_null(statement, index), sql);
        return this;
    }

    /// <summary>Binds the value, or SQL NULL when it is null.</summary>
    public SqliteStatement BindOrNull(int index, string? value) => value is null ? BindNull(index) : Bind(index, value);

    /// <summary>Binds the value, or SQL NULL when it is null.</summary>
    public SqliteStatement BindOrNull(int index, double? value) => value is { } v ? Bind(index, v) : BindNull(index);

    /// <summary>Binds the value, or SQL NULL when it is null.</summary>
    public SqliteStatement BindOrNull(int index, long? value) => value is { } v ? Bind(index, v) : BindNull(index);

    /// <summary>Runs to the next row; false when the statement is done.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        // The step's error is also returned by reset; clear the statement so it can be reused after the failure.
        raw.sqlite3_reset(statement);
        database.Check(rc, sql);
        return false;
    }

    /// <summary>Runs a statement that returns no rows, then makes it ready for the next use.</summary>
    public void Run()
    {
        try { while (Step()) { } }
        finally { Reset(); }
    }

    public void Reset()
    {
        raw.sqlite3_reset(statement);
        raw.sqlite3_clear_bindings(statement);
    }

    public long Int64(int column) => raw.sqlite3_column_int64(statement, column);

    public double Double(int column) => raw.sqlite3_column_double(statement, column);

    /// <summary>True when the column of the current row is SQL NULL.</summary>
    public bool IsNull(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

    /// <summary>The column as a double, or null when it is SQL NULL.</summary>
    public double? DoubleOrNull(int column) => IsNull(column) ? null : Double(column);

    public string? Text(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL
        ? null : raw.sqlite3_column_text(statement, column).utf8_to_string();

    /// <summary>The column's bytes; valid only until the next step or reset.</summary>
    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(statement, column);

    public void Dispose() => statement.Dispose();
}
