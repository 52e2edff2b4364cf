using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Ingest;

namespace Nexwatt.Collector.Registry;

/// <summary>Container registration of the asset registry.</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="AssetRegistryService"/> (a singleton; it needs an <c>ICollectorStore</c>, registered by
    /// storage), the <see cref="DeviceAssetCache"/> it invalidates and ingest reads (kept for
    /// <see cref="CollectorOptions.AssetLookupCacheDuration"/>), and <see cref="TimeProvider.System"/> unless a clock
    /// is already registered.
    /// </summary>
    public static IServiceCollection AddAssetRegistry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new DeviceAssetCache(provider.GetRequiredService<ICollectorStore>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.AssetLookupCacheDuration));
        services.TryAddSingleton<AssetRegistryService>();
        return services;
    }
}
