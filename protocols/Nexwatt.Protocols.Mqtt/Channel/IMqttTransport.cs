namespace Nexwatt.Protocols.Mqtt.Channel;

/// <summary>Opens the byte stream one MQTT connection runs over (TCP, TLS, or an in-memory pipe in tests).</summary>
internal interface IMqttTransport
{
    /// <summary>"host:port" for log lines.</summary>
    string Endpoint { get; }

    /// <summary>Connects (and completes the TLS handshake); the caller owns and disposes the stream.</summary>
    ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken);
}
