using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Protocols.Enphase;
using Nexwatt.Protocols.Enphase.Auth;
using Nexwatt.Protocols.Enphase.Decoding;
using Nexwatt.Protocols.Enphase.Probing;
using Nexwatt.Protocols.Enphase.Readings;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

/// <summary>
/// An Enphase IQ Gateway: /info decides transport and auth, one probe of the candidate endpoints decides what each
/// poll reads (kept until a fault, after which /info and the probe run again, so a firmware update is noticed), and
/// every poll reads the meters, production and batteries. Microinverter reports are read on their own slower
/// schedule in the background and are cancelled when the next meter poll is due, so a stalled device_data never
/// delays the meters. Sub-devices report as "&lt;id&gt;.production", "&lt;id&gt;.grid-L1", "&lt;id&gt;.battery-&lt;serial&gt;" ….
/// </summary>
internal sealed class EnphaseDeviceSource : IDeviceSource, Observability.Status.ICredentialExpiry, IDisposable
{
    private readonly DeviceOptions _device;
    private readonly EnphaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _url;
    private readonly CertificatePin? _pin;
    private readonly GatewayClient _client;
    private Session? _session;
    private Task<IReadOnlyList<InverterReport>?>? _inverterRead;
    private CancellationTokenSource? _inverterCancel;
    private DateTimeOffset _invertersDue;

    private readonly Dispatch.DeviceControlRegistry? _controls;
    private readonly EnlightenTokenService? _renewal;
    private EnphaseBatteryControl? _batteryControl;
    private double? _stateOfCharge;

    private readonly DeviceHealthBoard? _health;

    public EnphaseDeviceSource(DeviceOptions device, TimeProvider time, ILogger logger, string defaultStateDirectory,
        Dispatch.DeviceControlRegistry? controls = null, DeviceHealthBoard? health = null)
    {
        _health = health;
        _controls = controls;
        _device = device;
        _options = device.Enphase;
        _time = time;
        _logger = logger;
        _url = new Uri(_options.Url);
        if (_url.Scheme == Uri.UriSchemeHttps)
            _pin = new CertificatePin(_options.PinFile is { Length: > 0 } f ? f : CertificatePin.DefaultFile(defaultStateDirectory, _url), _options.Url);
        _client = new GatewayClient(_url, _options.ConnectTimeout, _options.ReadTimeout, _pin);
        if (_options.EnlightenUser is { Length: > 0 } user && _options.EnlightenPassword is { Length: > 0 } password)
            _renewal = new EnlightenTokenService(new HttpClient { Timeout = _options.ReadTimeout }, new Uri(_options.EnlightenLoginUrl),
                new Uri(_options.EnlightenTokenUrl), user, password);
    }

    public string Endpoint => _options.Url;

    /// <summary>What the last connection found, for the read command and status.</summary>
    public Session? Current => _session;

    /// <summary>The gateway token's exp claim, once a session uses one (firmware 7+).</summary>
    public DateTimeOffset? CredentialExpiresAt => Volatile.Read(ref _session)?.Token?.ExpiresAt;

    public CertificatePin? Pin => _pin;

    internal sealed record Session(GatewayInfo Info, AuthPlan Auth, EndpointPlan Plan, IReadOnlyList<MeterConfig>? Meters, JwtToken? Token);

    public async ValueTask<PolledReadings> ReadAsync(CancellationToken cancellationToken)
    {
        // Meters first: an inverter read still running (device_data stalls at night) gives way.
        _inverterCancel?.Cancel();
        IReadOnlyList<InverterReport>? inverters = null;
        if (_inverterRead is { IsCompleted: true } done)
        {
            inverters = done.IsCompletedSuccessfully ? done.Result : null;
            _inverterRead = null;
        }
        else if (_inverterRead is not null)
        {
            try { await _inverterRead.ConfigureAwait(false); } catch (Exception) { /* cancelled: retried when next due */ }
            _inverterRead = null;
        }

        _session ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var session = _session;
        var responses = new Dictionary<string, GatewayResponse>(StringComparer.Ordinal);
        foreach (var path in PollPaths(session.Plan))
            responses[path] = await GetAuthorizedAsync(session, path, cancellationToken).ConfigureAwait(false);
        var received = _time.GetUtcNow();
        var snapshot = SnapshotDecoder.Decode(session.Info, received, responses) with { Meters = session.Meters, Inverters = inverters };
        var measurements = SnapshotBuilder.Build(snapshot);
        RegisterBatteryControls(session, measurements);
        var readings = ToReadings(measurements);

        if ((session.Plan.Inverters || session.Plan.DeviceData) && received >= _invertersDue)
        {
            _invertersDue = received + _options.InverterInterval;
            _inverterCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _inverterRead = ReadInvertersAsync(session, _inverterCancel.Token);
        }
        return new PolledReadings(received, readings);
    }

    /// <summary>Reads everything once, inverters included (the read command).</summary>
    public async Task<(PolledReadings Polled, IReadOnlyList<GatewayMeasurement> Measurements)> ReadAllAsync(CancellationToken cancellationToken)
    {
        _session ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var responses = new Dictionary<string, GatewayResponse>(StringComparer.Ordinal);
        foreach (var path in PollPaths(_session.Plan).Concat(InverterPaths(_session.Plan)))
            responses[path] = await GetAuthorizedAsync(_session, path, cancellationToken).ConfigureAwait(false);
        var received = _time.GetUtcNow();
        var measurements = SnapshotBuilder.Build(SnapshotDecoder.Decode(_session.Info, received, responses) with { Meters = _session.Meters });
        return (new PolledReadings(received, ToReadings(measurements)), measurements);
    }

    public bool IsDeviceFault(Exception exception) =>
        exception is EnphaseException or HttpRequestException or TimeoutException or IOException or System.Security.Authentication.AuthenticationException;

    public void OnFault(Exception exception) => _session = null;

    private async Task<Session> ConnectAsync(CancellationToken cancellationToken)
    {
        _client.BearerToken = null;
        var infoResponse = await _client.GetAsync(GatewayInfo.Endpoint, cancellationToken).ConfigureAwait(false);
        if (infoResponse.StatusCode != 200)
            throw new EnphaseFormatException(GatewayInfo.Endpoint, $"HTTP {infoResponse.StatusCode}");
        var info = GatewayInfo.Decode(infoResponse.Body);
        var auth = AuthPlan.For(info);
        if (auth.Https != (_url.Scheme == Uri.UriSchemeHttps))
            throw new EnphaseFormatException(GatewayInfo.Endpoint,
                $"firmware {info.Firmware} needs {(auth.Https ? "https" : "http")}://, but Url is {_options.Url}; change Agent:Devices:N:Enphase:Url");
        if (_pin?.NewlyPinned is { } pinned) EnphaseLog.Pinned(_logger, _device.EffectiveId, pinned, _pin.PinFile);

        JwtToken? token = null;
        if (auth.Scheme == GatewayAuthScheme.BearerToken)
        {
            token = LoadToken();
            if (_renewal is not null && token.LifetimeAt(_time.GetUtcNow()) is JwtLifetime.Expired or JwtLifetime.NearExpiry)
                token = await RenewAsync(info, cancellationToken).ConfigureAwait(false);
            _client.BearerToken = token.Raw;
            try { await ValidateTokenAsync(cancellationToken).ConfigureAwait(false); }
            catch (EnphaseAuthException) when (_renewal is not null)
            {
                // Revoked or replaced: one renewal, then the gateway's answer stands.
                token = await RenewAsync(info, cancellationToken).ConfigureAwait(false);
                _client.BearerToken = token.Raw;
                await ValidateTokenAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var password = _options.Password is { Length: > 0 } p ? p : DigestAuthenticator.DefaultEnvoyPassword(info.Serial);
            _client.Digest = (_options.User, password);
        }

        var outcomes = new Dictionary<string, ProbeOutcome>(StringComparer.Ordinal);
        IReadOnlyList<MeterConfig>? meters = null;
        ProductionJson? production = null;
        foreach (var path in EndpointPlan.Candidates(info))
        {
            GatewayResponse response;
            try { response = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false); }
            catch (TimeoutException) { outcomes[path] = ProbeOutcome.Failed; continue; }
            var outcome = response.Outcome;
            try
            {
                if (outcome == ProbeOutcome.Ok && path == MeterConfig.Endpoint) meters = MeterConfig.Decode(response.Body);
                if (outcome == ProbeOutcome.Ok && path == ProductionJson.Endpoint) production = ProductionJson.Decode(response.Body);
            }
            catch (EnphaseFormatException) { outcome = ProbeOutcome.Failed; }
            outcomes[path] = outcome;
        }
        // Below 7 the inverter list always needs Digest: a 401 after answering the challenge is a wrong password.
        if (auth.Scheme == GatewayAuthScheme.Digest && outcomes.GetValueOrDefault(InverterReport.Endpoint, ProbeOutcome.Failed) == ProbeOutcome.Unauthorized)
            throw new EnphaseAuthException($"digest credentials of user {_options.User} rejected");
        var plan = EndpointPlan.Decide(info, outcomes, meters, production);
        // Status shows what the gateway is: firmware and auth stand where a SunSpec device shows its model.
        _health?.SetDescription(new DeviceDescription(_device.EffectiveId, _options.Url, 0, "Enphase",
            $"IQ Gateway {info.PartNumber} firmware {info.Firmware} ({auth.Describe()})", info.Serial, []));
        EnphaseLog.Connected(_logger, _device.EffectiveId, info.Serial, info.Firmware.Text, auth.Describe(), string.Join(", ", plan.Describe()));
        return new Session(info, auth, plan, meters, token);
    }

    private JwtToken LoadToken()
    {
        if (_options.TokenFile is not { Length: > 0 } file)
            throw new EnphaseAuthException("no token: firmware 7+ needs Agent:Devices:N:Enphase:TokenFile");
        JwtToken token;
        try { token = JwtToken.Parse(File.ReadAllText(file)); }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new EnphaseAuthException($"token file {file} unusable: {e.Message}");
        }
        switch (token.LifetimeAt(_time.GetUtcNow()))
        {
            case JwtLifetime.NearExpiry: EnphaseLog.TokenNearExpiry(_logger, _device.EffectiveId, token.ToString()); break;
            case JwtLifetime.Expired: EnphaseLog.TokenExpired(_logger, _device.EffectiveId, token.ToString()); break;
        }
        return token;
    }

    private async Task<JwtToken> RenewAsync(GatewayInfo info, CancellationToken cancellationToken)
    {
        var token = await _renewal!.RenewAsync(info.Serial, cancellationToken).ConfigureAwait(false);
        EnlightenTokenService.Save(_options.TokenFile!, token);
        EnphaseLog.TokenRenewed(_logger, _device.EffectiveId, token.ToString());
        return token;
    }

    private async Task ValidateTokenAsync(CancellationToken cancellationToken)
    {
        var check = await _client.GetAsync("/auth/check_jwt", cancellationToken).ConfigureAwait(false);
        if (check.StatusCode == 401) throw new EnphaseAuthException("token rejected");
        if (check.StatusCode != 200) throw new EnphaseFormatException("/auth/check_jwt", $"HTTP {check.StatusCode}");
    }

    /// <summary>A 401 on a path the probe could read: one re-validation, then "token rejected" (the poller backs off).</summary>
    private async Task<GatewayResponse> GetAuthorizedAsync(Session session, string path, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var response = await _client.GetAsync(path, cancellationToken, timeout).ConfigureAwait(false);
        if (response.Outcome != ProbeOutcome.Unauthorized) return response;
        if (session.Auth.Scheme == GatewayAuthScheme.Digest)
            throw new EnphaseAuthException($"digest credentials of user {_options.User} rejected");
        await ValidateTokenAsync(cancellationToken).ConfigureAwait(false);
        response = await _client.GetAsync(path, cancellationToken, timeout).ConfigureAwait(false);
        return response.Outcome == ProbeOutcome.Unauthorized ? throw new EnphaseAuthException("token rejected") : response;
    }

    private async Task<IReadOnlyList<InverterReport>?> ReadInvertersAsync(Session session, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var path in InverterPaths(session.Plan))
            {
                var response = await GetAuthorizedAsync(session, path, cancellationToken).ConfigureAwait(false);
                if (response.Outcome != ProbeOutcome.Ok) continue;
                return path == InverterReport.Endpoint ? InverterReport.Decode(response.Body) : InverterReport.DecodeDeviceData(response.Body);
            }
            return null;
        }
        catch (Exception e) when (e is OperationCanceledException || IsDeviceFault(e))
        {
            EnphaseLog.InvertersSkipped(_logger, _device.EffectiveId, e.Message);
            return null;
        }
    }

    /// <summary>Offers the batteries to dispatch once the gateway shows them and its tariff document is readable.</summary>
    private void RegisterBatteryControls(Session session, IReadOnlyList<GatewayMeasurement> measurements)
    {
        var aggregate = measurements.FirstOrDefault(m => m.Quantity == Quantity.StateOfChargePct && m.SubDevice is SubDevices.Batteries or SubDevices.AcBatteries);
        if (aggregate?.Value is { } soc) _stateOfCharge = soc;
        if (_controls is null || !session.Plan.Tariff) return;
        _batteryControl ??= new EnphaseBatteryControl(_client, () => _stateOfCharge, _device.Enphase.BatteryRatingW);
        foreach (var battery in measurements.Select(m => m.SubDevice).Distinct()
            .Where(d => d is SubDevices.Batteries or SubDevices.AcBatteries || d.StartsWith("battery-", StringComparison.Ordinal)))
            _controls.RegisterController(SubDeviceId(_device.EffectiveId, battery), _batteryControl);
    }

    /// <summary>
    /// The device id of one of the gateway's meters or batteries, used both for its readings and for its dispatch
    /// controller, so a setpoint addressed to a reading's device id reaches the controller. "." not "/": the
    /// collector links assets to device ids of letters, digits, ".", "_" and "-" only.
    /// </summary>
    internal static string SubDeviceId(string deviceId, string subDevice) => $"{deviceId}.{subDevice}";

    private static IEnumerable<string> PollPaths(EndpointPlan plan)
    {
        if (plan.Meters) yield return MeterReading.Endpoint;
        if (plan.ProductionJson) yield return plan.ProductionJsonDetails ? SnapshotDecoder.ProductionJsonDetails : ProductionJson.Endpoint;
        if (plan.ApiV1Production) yield return ApiV1Production.Endpoint;
        if (plan.ProductionPage) yield return ProductionPage.Endpoint;
        if (plan.Inventory) yield return EnchargeBattery.Endpoint;
        if (plan.EnsemblePower) yield return EnsemblePower.Endpoint;
        if (plan.SecurityControl) yield return SecurityControl.Endpoint;
    }

    private static IEnumerable<string> InverterPaths(EndpointPlan plan)
    {
        if (plan.Inverters) yield return InverterReport.Endpoint;
        if (plan.DeviceData) yield return InverterReport.DeviceDataEndpoint;
    }

    private List<Reading> ToReadings(IReadOnlyList<GatewayMeasurement> measurements)
    {
        var readings = new List<Reading>(measurements.Count);
        foreach (var m in measurements)
        {
            var deviceId = SubDeviceId(_device.EffectiveId, m.SubDevice);
            var name = m.Quantity.ToString();
            readings.Add(CanonicalPoints.Units.ContainsKey(name)
                ? CanonicalReadings.Create(deviceId, name, m.Value, m.Timestamp)
                : CanonicalReadings.Extra(deviceId, name, m.Value, m.Unit, m.Timestamp));
        }
        return readings;
    }

    public void Dispose()
    {
        _renewal?.Dispose();
        _inverterCancel?.Cancel();
        _client.Dispose();
    }
}
