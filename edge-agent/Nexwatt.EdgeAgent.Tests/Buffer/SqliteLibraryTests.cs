using Nexwatt.Data.Sqlite;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>The SQLite build the buffer runs on: a current release, with native builds for every gateway architecture.</summary>
public sealed class SqliteLibraryTests
{
    [Fact]
    public void The_loaded_sqlite_is_a_current_release()
    {
        // SQLitePCLRaw 2.0.6 carried SQLite 3.35.5 (2021); the pinned bundle brings 3.53.x.
        var version = Version.Parse(SqliteDatabase.LibraryVersion);
        Assert.True(version >= new Version(3, 53), $"SQLite {version} loaded; 3.53 or later expected");
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    [InlineData("linux-arm")]
    public void The_build_output_carries_a_native_sqlite_for_each_gateway_architecture(string runtime)
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", runtime, "native", "libe_sqlite3.so");
        Assert.True(File.Exists(library), $"{library} is missing");
    }
}
