using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Nexwatt.Collector.Registry;

/// <summary>Container registration of the asset registry.</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="AssetRegistryService"/> (a singleton; it needs an <c>ICollectorStore</c>, registered by
    /// storage) and <see cref="TimeProvider.System"/> unless a clock is already registered.
    /// </summary>
    public static IServiceCollection AddAssetRegistry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AssetRegistryService>();
        return services;
    }
}
