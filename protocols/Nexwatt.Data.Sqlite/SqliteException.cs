using SQLitePCL;

namespace Nexwatt.Data.Sqlite;

/// <summary>A failed SQLite call, with its extended result code so callers can tell a full disk from a damaged file.</summary>
public sealed class SqliteException(string message, int resultCode) : Exception(message)
{
    public int ResultCode { get; } = resultCode;

    /// <summary>The primary result code: the low byte of the extended one.</summary>
    public int PrimaryCode => ResultCode & 0xFF;

    public bool IsDiskFull => PrimaryCode == raw.SQLITE_FULL;

    /// <summary>
    /// The file is damaged or not a database at all: the store must be salvaged, retrying will not help. A short read
    /// is a file cut off below the pages its header counts (SQLite 3.53 reports a truncated file so where 3.35 said
    /// "malformed"); any other I/O error may pass and is not damage.
    /// </summary>
    public bool IsCorruption => PrimaryCode is raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB || ResultCode == raw.SQLITE_IOERR_SHORT_READ;
}
