using System.Net.Sockets;
using Nexwatt.Protocols.Enphase;
using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.EdgeAgent.Discovery.Enphase;

/// <summary>
/// Reads <c>/info</c> from host:port, over HTTPS first and then plain HTTP (firmware 7 and later answers HTTPS, older
/// firmware HTTP only). One HttpClient per scheme for the whole scan.
/// </summary>
internal sealed class EnphaseInfoProbe : IDisposable
{
    private readonly HttpClient _client;

    public EnphaseInfoProbe(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            // The handler's ConnectTimeout also covers the TLS handshake, which takes longer than a Modbus probe
            // (a cold TLS stack, a slow gateway): only the TCP connect gets the short probe timeout.
            ConnectTimeout = timeout + TimeSpan.FromSeconds(4),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, timeout, cancellationToken),
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions =
            {
                // Identification only: /info is public and this request carries no credential, so nothing is disclosed
                // to an impostor, and a gateway's self-signed certificate cannot be checked before it is known. The
                // agent pins the certificate when the gateway is configured and read (read --enphase); scan sends no
                // token and no password to anything it has not pinned.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        // A silent address costs only the connect timeout; one that accepted the connection gets seconds more, since
        // a TLS handshake plus a real gateway's /info (slow on busy units) takes far longer than a Modbus probe.
        _client = new HttpClient(handler) { Timeout = timeout + TimeSpan.FromSeconds(4) };
    }

    /// <summary>The gateway at host:port and the base URL that answered; null when nothing there is an IQ Gateway.</summary>
    public async Task<(Uri BaseUrl, GatewayInfo Info)?> ProbeAsync(string host, int port, CancellationToken cancellationToken)
    {
        // Port 80 is plain HTTP by convention: do not spend a TLS handshake on it.
        string[] schemes = port == 80 ? ["http"] : ["https", "http"];
        foreach (var scheme in schemes)
        {
            var baseUrl = new UriBuilder(scheme, host, port).Uri;
            try
            {
                using var response = await _client.GetAsync(new Uri(baseUrl, "/info"), cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) continue;
                return (baseUrl, GatewayInfo.Decode(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)));
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                // Nothing listens: the other scheme cannot answer either.
                return null;
            }
            catch (HttpRequestException) { }
            // Another web server answered: not a gateway.
            catch (EnphaseFormatException) { return null; }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
        return null;
    }

    public void Dispose() => _client.Dispose();

    private static async ValueTask<Stream> ConnectAsync(System.Net.DnsEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
