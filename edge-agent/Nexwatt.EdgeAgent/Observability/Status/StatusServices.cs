using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Observability.Status;

/// <summary>Registers the status socket and what it reports, with one line in AgentHost.</summary>
internal static class StatusServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<CredentialExpiryBoard>();
        services.AddSingleton(sp =>
        {
            var agent = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            var dispatcher = sp.GetRequiredService<Dispatch.SetpointDispatcher>();
            return new StatusDocument(agent.SiteId, sp.GetRequiredService<AgentHealth>(), sp.GetRequiredService<Polling.DeviceHealthBoard>(),
                sp.GetRequiredService<Buffer.ReadingBuffer>(), sp.GetRequiredService<UplinkStatus>(), sp.GetRequiredService<Dispatch.CollectorKey>(),
                () => dispatcher.ActiveSetpoints, sp.GetRequiredService<CredentialExpiryBoard>());
        });
        services.AddSingleton<IHostedService>(sp =>
        {
            var agent = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return new StatusSocketService(StatusSocketPaths.Candidates(agent.StatusSocket, agent.Buffer.EffectivePath),
                sp.GetRequiredService<StatusDocument>(), sp.GetRequiredService<ILogger<StatusSocketService>>());
        });
    }
}
