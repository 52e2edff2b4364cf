using Nexwatt.Protocols.Mqtt;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>Maps the agent's configuration onto the MQTT library's plain options.</summary>
internal static class MqttUplinkOptionsMapper
{
    public static MqttClientOptions ToClientOptions(MqttUplinkOptions mqtt, string siteId, MqttWill will)
    {
        var password = mqtt.Password;
        if (!string.IsNullOrEmpty(mqtt.PasswordFile))
            password = File.ReadAllText(mqtt.PasswordFile).TrimEnd('\r', '\n');
        var options = new MqttClientOptions
        {
            Host = mqtt.Host,
            Port = mqtt.Port ?? (mqtt.Tls.Enabled ? 8883 : 1883),
            ClientId = string.IsNullOrEmpty(mqtt.ClientId) ? $"nexwatt-agent-{siteId}" : mqtt.ClientId,
            ProtocolVersion = mqtt.ProtocolVersion == "3.1.1" ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500,
            // A persistent session: setpoints published while the site was offline wait for it at the broker.
            CleanStart = false,
            KeepAlive = mqtt.KeepAlive,
            Username = string.IsNullOrEmpty(mqtt.Username) ? null : mqtt.Username,
            Password = string.IsNullOrEmpty(password) ? null : password,
            Will = will,
            Tls = new MqttTlsOptions
            {
                Enabled = mqtt.Tls.Enabled,
                CaCertificateFile = mqtt.Tls.CaCertificateFile,
                ClientCertificateFile = mqtt.Tls.ClientCertificateFile,
                ClientKeyFile = mqtt.Tls.ClientKeyFile,
                ServerName = mqtt.Tls.ServerName,
            },
        };
        options.Validate();
        return options;
    }
}
