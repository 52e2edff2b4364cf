using System.Net;
using System.Net.Sockets;

namespace Nexwatt.Testing;

/// <summary>For peers that must be told a port up front (HttpListener cannot bind port 0): one the kernel just had free.</summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
