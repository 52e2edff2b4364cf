using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Discovery.Enphase;

namespace Nexwatt.EdgeAgent.Tests.Discovery;

/// <summary>What the /info probe refuses to call a gateway: another web server, a closed port.</summary>
public sealed class EnphaseInfoProbeTests
{
    [Theory]
    [InlineData(200, "<html><body>router login</body></html>")]
    [InlineData(200, "<?xml version='1.0'?><other_info><device><sn>1</sn></device></other_info>")]
    [InlineData(404, "not here")]
    public async Task A_web_server_that_is_not_a_gateway_is_not_listed(int status, string body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;

        using var probe = new EnphaseInfoProbe(TimeSpan.FromSeconds(2));
        Assert.Null(await probe.ProbeAsync("127.0.0.1", port, CancellationToken.None));
    }

    [Fact]
    public async Task A_closed_port_is_left_at_once()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var probe = new EnphaseInfoProbe(TimeSpan.FromSeconds(2));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(await probe.ProbeAsync("127.0.0.1", port, CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"a refused connection took {watch.Elapsed}");
    }
}
