using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage.Postgres;
using Nexwatt.Collector.Storage.Sqlite;

namespace Nexwatt.Collector.Storage;

public static class CollectorStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICollectorStore"/> from "Collector:Storage" (validated at start) and a hosted service
    /// that creates the schema when the host starts. Register it before the services that ingest.
    /// </summary>
    public static IServiceCollection AddCollectorStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CollectorStorageOptions>().Bind(configuration.GetSection(CollectorStorageOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CollectorStorageOptions>, CollectorStorageOptionsValidator>();
        services.AddSingleton<ICollectorStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<CollectorStorageOptions>>().Value;
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            return options.EffectiveProvider == CollectorStorageOptions.Postgres
                ? new PostgresCollectorStore(options.ConnectionString, loggers.CreateLogger<PostgresCollectorStore>())
                : new SqliteCollectorStore(
                    options.EffectiveSqlitePath(provider.GetRequiredService<IHostEnvironment>().ContentRootPath),
                    loggers.CreateLogger<SqliteCollectorStore>());
        });
        // Both stores keep dispatches in the same database: the dispatch store is the same instance.
        services.AddSingleton(provider => (Dispatch.IDispatchStore)provider.GetRequiredService<ICollectorStore>());
        // The initializer reads the clock (latest values dated ahead of it are forgotten); the host's clock wins.
        services.TryAddSingleton(TimeProvider.System);
        // One instance: the program runs it before the host starts (to report a failure as one line), the host's start reuses it.
        services.AddSingleton<CollectorStorageInitializer>();
        services.AddHostedService(provider => provider.GetRequiredService<CollectorStorageInitializer>());
        return services;
    }
}
