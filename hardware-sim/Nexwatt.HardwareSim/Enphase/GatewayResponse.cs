namespace Nexwatt.HardwareSim.Enphase;

/// <summary>One answer of the gateway: status, content type and body.</summary>
internal sealed record GatewayResponse(int Status, string ContentType, string Body)
{
    public const string Json = "application/json";
    public const string Xml = "text/xml";
    public const string Html = "text/html";

    public static GatewayResponse Ok(string json) => new(200, Json, json);
}

/// <summary>What the gateway answers: the simulated site, or a folder of captured responses.</summary>
internal interface IGatewayContent
{
    GatewayGeneration Generation { get; }

    string Serial { get; }

    /// <summary>The answer to one request, null when the gateway has no such endpoint (404).</summary>
    GatewayResponse? Answer(string method, string path, string query, string body);
}
