using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// A simulated IQ Gateway on Kestrel: plain HTTP with Digest below firmware 7, HTTPS with its own self-signed
/// certificate and JWT bearer checks from 7 (<c>/auth/check_jwt</c> answers "Valid token." and a session cookie that
/// later requests may use instead of the header). Faults apply before authentication, /info excepted.
/// </summary>
internal sealed class EnphaseGatewayServer : IAsyncDisposable
{
    public const string SessionCookie = "sessionId";

    private readonly IGatewayContent _content;
    private readonly GatewayFaultPlan _faults;
    private readonly Action<string> _log;
    private readonly DigestAuthenticator _digest;
    private readonly ConcurrentDictionary<string, string> _sessions = new();
    private readonly Random _random;
    private readonly object _randomGate = new();
    private WebApplication? _app;
    private int _requests;
    private int _authorized;

    public EnphaseGatewayServer(IGatewayContent content, GatewayFaultPlan faults, TimeProvider time, string installerPassword, int seed, Action<string> log)
    {
        _content = content;
        _faults = faults;
        _log = log;
        _random = new Random(seed);
        _digest = new DigestAuthenticator(content.Serial, installerPassword);
        Tokens = new GatewayTokens(content.Serial, time);
        Certificate = content.Generation.UsesTokens ? new GatewayCertificate(content.Serial) : null;
    }

    public GatewayTokens Tokens { get; }

    /// <summary>Null below firmware 7 (plain HTTP).</summary>
    public GatewayCertificate? Certificate { get; }

    public GatewayGeneration Generation => _content.Generation;

    public string Serial => _content.Serial;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Requests answered or refused so far (every path).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    public async Task StartAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Listen(address, port, listen =>
            {
                // Real gateways (openresty) speak HTTP/1.1 only.
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1;
                if (Certificate is { } certificate)
                    listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate.Current });
            });
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(bound);
        BaseAddress = new UriBuilder(uri.Scheme, address.ToString(), uri.Port).Uri;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        Tokens.Dispose();
        Certificate?.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var count = Interlocked.Increment(ref _requests);
        if (Certificate is not null && _faults.CertificateChangeAfterRequests > 0 && count == _faults.CertificateChangeAfterRequests)
        {
            Certificate.Change();
            _log($"CERTIFICATE changed fingerprint={Certificate.Fingerprint}");
        }
        var aborted = context.RequestAborted;
        if (path != "/info" && !await ApplyFaultsAsync(context, path, aborted).ConfigureAwait(false)) return;

        if (Generation.UsesTokens && path == "/auth/check_jwt")
        {
            await CheckJwtAsync(context).ConfigureAwait(false);
            return;
        }
        if (GatewayAccessPolicy.NeedsCredentials(Generation, path) && !await AuthorizeAsync(context, path).ConfigureAwait(false)) return;

        string body;
        using (var reader = new StreamReader(request.Body))
            body = await reader.ReadToEndAsync(aborted).ConfigureAwait(false);
        var answer = _content.Answer(request.Method, path, request.QueryString.Value?.TrimStart('?') ?? "", body)
            ?? new GatewayResponse(404, GatewayResponse.Json, GatewayResponses.NotFound);
        await WriteAsync(context, answer).ConfigureAwait(false);
    }

    /// <summary>False when a fault answered (or swallowed) the request.</summary>
    private async Task<bool> ApplyFaultsAsync(HttpContext context, string path, CancellationToken aborted)
    {
        if (_faults.StalledPaths.Contains(path))
        {
            // A stalled endpoint holds the request until the client gives up, as real gateways do with
            // /api/v1/production on metered-without-CT 8.2.4264 and device_data at night.
            try { await Task.Delay(Timeout.Infinite, aborted).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            return false;
        }
        if (_faults.SlowMilliseconds > 0 && Chance(_faults.SlowProbability))
            await Task.Delay(_faults.SlowMilliseconds, aborted).ConfigureAwait(false);
        if (_faults.UnavailableProbability > 0 && Chance(_faults.UnavailableProbability))
        {
            await WriteAsync(context, new GatewayResponse(503, GatewayResponse.Html, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n")).ConfigureAwait(false);
            return false;
        }
        return true;
    }

    private async Task<bool> AuthorizeAsync(HttpContext context, string path)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!Generation.UsesTokens)
        {
            var target = path + context.Request.QueryString.Value;
            if (_digest.IsAuthorized(authorization, context.Request.Method) && DigestUriMatches(authorization, target)) return true;
            context.Response.Headers.WWWAuthenticate = _digest.Challenge();
            await WriteAsync(context, new GatewayResponse(401, GatewayResponse.Html, GatewayResponses.Unauthorized)).ConfigureAwait(false);
            return false;
        }

        string? token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        if (token is null && context.Request.Cookies.TryGetValue(SessionCookie, out var session)) _sessions.TryGetValue(session, out token);
        var problem = token is null ? "no token" : Tokens.Check(token);
        if (problem is null && _faults.RevokeAfterRequests > 0 && Interlocked.Increment(ref _authorized) > _faults.RevokeAfterRequests)
        {
            Tokens.RevokeAll();
            problem = "revoked";
        }
        if (problem is null) return true;
        _log($"AUTH rejected path={path} reason={problem}");
        await WriteAsync(context, new GatewayResponse(401, GatewayResponse.Html, GatewayResponses.Unauthorized)).ConfigureAwait(false);
        return false;
    }

    private async Task CheckJwtAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "";
        var problem = token.Length == 0 ? "no token" : Tokens.Check(token);
        if (problem is not null)
        {
            _log($"AUTH rejected path=/auth/check_jwt reason={problem}");
            await WriteAsync(context, new GatewayResponse(401, GatewayResponse.Html, GatewayResponses.Unauthorized)).ConfigureAwait(false);
            return;
        }
        var session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _sessions[session] = token;
        context.Response.Cookies.Append(SessionCookie, session, new CookieOptions { Secure = true, HttpOnly = true, Path = "/" });
        await WriteAsync(context, new GatewayResponse(200, GatewayResponse.Html, GatewayResponses.ValidToken)).ConfigureAwait(false);
    }

    private static bool DigestUriMatches(string authorization, string target)
        => DigestAuthenticator.Parse(authorization.AsSpan(7)).TryGetValue("uri", out var uri) && uri == target;

    private bool Chance(double probability)
    {
        if (probability >= 1) return true;
        lock (_randomGate) return _random.NextDouble() < probability;
    }

    private static async Task WriteAsync(HttpContext context, GatewayResponse answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        await context.Response.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
