using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Nexwatt.Collector.Normalization;

/// <summary>Container registration of normalization and interval aggregation.</summary>
public static class NormalizationServiceCollectionExtensions
{
    /// <summary>Adds <see cref="Normalizer"/> and <see cref="IntervalAggregator"/> as singletons (both are pure and thread-safe).</summary>
    public static IServiceCollection AddNormalization(this IServiceCollection services, NormalizerOptions? normalizer = null, AggregationOptions? aggregation = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(new Normalizer(normalizer));
        services.TryAddSingleton(new IntervalAggregator(aggregation));
        return services;
    }
}
