using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexwatt.Protocols.Enphase;
using Nexwatt.Protocols.Enphase.Auth;
using Nexwatt.Protocols.Enphase.Readings;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

/// <summary>
/// HTTP to one gateway: one request at a time (gateways fall over under parallel requests), the pinned certificate
/// over HTTPS, a bearer token or Digest answers, a read timeout per request that surfaces as <see cref="TimeoutException"/>.
/// </summary>
internal sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly TimeSpan _readTimeout;
    private readonly CertificatePin? _pin;
    private DigestAuthenticator.Challenge? _challenge;
    private int _nonceCount;

    public GatewayClient(Uri baseUrl, TimeSpan connectTimeout, TimeSpan readTimeout, CertificatePin? pin)
    {
        _readTimeout = readTimeout;
        _pin = pin;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
        };
        if (pin is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => pin.Accept(certificate);
            // The pin is the whole trust decision, so the chain is built against an empty custom root store: the
            // runtime then never loads and parses the system's CA bundle for a self-signed certificate that cannot
            // chain to it anyway (memory and CPU the first handshake would otherwise pay), and never downloads.
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
        }
        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The bearer token sent on every request (firmware 7+).</summary>
    public string? BearerToken { get; set; }

    /// <summary>Digest credentials (firmware below 7).</summary>
    public (string User, string Password)? Digest { get; set; }

    public async Task<GatewayResponse> GetAsync(string path, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        await SendAsync(HttpMethod.Get, path, null, cancellationToken, timeout).ConfigureAwait(false);

    public async Task<GatewayResponse> PutJsonAsync(string path, byte[] body, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Put, path, body, cancellationToken, null).ConfigureAwait(false);

    private async Task<GatewayResponse> SendAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await OnceAsync(method, path, body, cancellationToken, timeout).ConfigureAwait(false);
            // Digest: the first 401 carries the challenge; answer it once. A second 401 is a wrong password.
            if (response.Status == 401 && Digest is not null && response.Challenge is { } challenge)
            {
                _challenge = challenge;
                _nonceCount = 0;
                response = await OnceAsync(method, path, body, cancellationToken, timeout).ConfigureAwait(false);
            }
            return new GatewayResponse(response.Status, response.Body);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<(int Status, byte[] Body, DigestAuthenticator.Challenge? Challenge)> OnceAsync(
        HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        using var request = new HttpRequestMessage(method, path);
        if (BearerToken is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (Digest is { } digest && _challenge is { } challenge)
            request.Headers.TryAddWithoutValidation("Authorization", DigestAuthenticator.Authorization(challenge, digest.User, digest.Password,
                method.Method, path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), ++_nonceCount));
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? _readTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            // Bytes, never ReadAsStringAsync: that throws on charsets .NET does not ship (ISO-8859-4 from some gateways).
            var bytes = ResponseText.AsUtf8(await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false));
            var challengeHeader = response.Headers.WwwAuthenticate.Select(h => h.ToString()).Select(DigestAuthenticator.ParseChallenge).FirstOrDefault(c => c is not null);
            return ((int)response.StatusCode, bytes, challengeHeader);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{_http.BaseAddress}{path.TrimStart('/')} did not answer within {timeout ?? _readTimeout}");
        }
        catch (HttpRequestException) when (_pin?.Mismatch is { } mismatch)
        {
            throw mismatch;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _oneAtATime.Dispose();
    }
}
