using Microsoft.Extensions.Options;
using Npgsql;

namespace Nexwatt.Collector.Storage;

/// <summary>Checks <see cref="CollectorStorageOptions"/> at start; every message names its configuration key.</summary>
internal sealed class CollectorStorageOptionsValidator : IValidateOptions<CollectorStorageOptions>
{
    private const string Key = CollectorStorageOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CollectorStorageOptions options)
    {
        var problems = new List<string>();
        switch (options.EffectiveProvider)
        {
            case CollectorStorageOptions.Sqlite:
                if (options.ConnectionString.Length > 0)
                    problems.Add($"{Key}:Provider is 'sqlite' but {Key}:ConnectionString is set; remove the connection string or set Provider to 'postgres'.");
                if (options.SqlitePath.Length > 0 && (options.SqlitePath.EndsWith('/') || Directory.Exists(options.SqlitePath)))
                    problems.Add($"{Key}:SqlitePath '{options.SqlitePath}' is a folder; name the database file, e.g. '{Path.Combine(options.SqlitePath, "collector.db")}'.");
                break;
            case CollectorStorageOptions.Postgres:
                ValidateConnectionString(options.ConnectionString, problems);
                break;
            default:
                problems.Add($"{Key}:Provider '{options.Provider}' is unknown; use 'sqlite' (embedded, the default) or 'postgres'.");
                break;
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void ValidateConnectionString(string connectionString, List<string> problems)
    {
        if (connectionString.Length == 0)
        {
            problems.Add($"{Key}:Provider is 'postgres' but {Key}:ConnectionString is empty; e.g. 'Host=db;Database=nexwatt;Username=collector;Password=...'.");
            return;
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // The parser's message may quote the offending value, which may be the password: say what, not which.
            problems.Add($"{Key}:ConnectionString is not a valid Npgsql connection string ({ex.GetType().Name}); it is not shown here because it may hold a password.");
            return;
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            problems.Add($"{Key}:ConnectionString names no Host.");
        if (string.IsNullOrWhiteSpace(builder.Database))
            problems.Add($"{Key}:ConnectionString names no Database.");
    }
}
