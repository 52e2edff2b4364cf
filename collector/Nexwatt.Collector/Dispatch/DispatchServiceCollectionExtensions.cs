using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Nexwatt.Collector.Dispatch;

public static class DispatchServiceCollectionExtensions
{
    /// <summary>
    /// Adds dispatch: options "Dispatch" (validated at start), the signing key, the service, the monitor and the MQTT
    /// delivery. Needs storage (AddCollectorStorage) registered first, so the schema exists before the monitor runs.
    /// </summary>
    public static IServiceCollection AddDispatch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DispatchOptions>().Bind(configuration.GetSection(DispatchOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DispatchOptions>, DispatchOptionsValidator>();
        services.AddSingleton(provider => DispatchSigningKey.Create(
            provider.GetRequiredService<IOptions<DispatchOptions>>(), provider.GetRequiredService<IOptions<Storage.CollectorStorageOptions>>(),
            provider.GetRequiredService<Microsoft.Extensions.Hosting.IHostEnvironment>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DispatchSigningKey>>()));
        services.AddSingleton<SiteActivity>();
        services.AddSingleton<SetpointHub>();
        services.AddSingleton<MqttSetpointOutbox>();
        services.AddSingleton<DispatchCandidates>();
        services.AddSingleton<DispatchSettlement>();
        services.AddSingleton<DispatchService>();
        services.AddHostedService<DispatchAckWriter>();
        services.AddHostedService<DispatchMonitor>();
        services.AddHostedService<DispatchMqttService>();
        return services;
    }
}
