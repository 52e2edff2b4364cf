using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.EdgeAgent.Observability.Status;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>`nexwatt-agent status [--json]`: asks the running agent over its status socket. Exit 0 healthy, 1 unhealthy, 2 unreachable.</summary>
internal static class StatusCommand
{
    public const int Unreachable = 2;

    public static Command Create()
    {
        var json = CliOptions.Json();
        var socket = new Option<string?>("--socket") { Description = $"The agent's status socket (default Agent:StatusSocket, {StatusSocketPaths.Default})." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The configuration file the agent runs with, to find its socket." };
        var command = new Command("status", "Ask the running agent how it is: devices, buffer, uplink, setpoints. Exit 0 healthy, 1 unhealthy, 2 unreachable.") { json, socket, config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var candidates = parse.GetValue(socket) is { Length: > 0 } explicitPath ? [explicitPath] : Candidates(parse.GetValue(config)?.FullName);
            var (document, problem) = await AskAsync(candidates, cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                await Console.Error.WriteLineAsync($"nexwatt-agent: cannot reach the agent at {problem}").ConfigureAwait(false);
                return Unreachable;
            }
            using var parsed = JsonDocument.Parse(document);
            await Console.Out.WriteAsync(parse.GetValue(json) ? System.Text.Encoding.UTF8.GetString(document) + Environment.NewLine : StatusTable.Format(parsed.RootElement)).ConfigureAwait(false);
            return parsed.RootElement.GetProperty("status").GetString() == "ok" ? 0 : 1;
        });
        return command;
    }

    /// <summary>Where the agent would have put its socket, from the same configuration sources it reads.</summary>
    private static IReadOnlyList<string> Candidates(string? configFile)
    {
        var configuration = new ConfigurationBuilder();
        AgentHost.AddAgentConfiguration(configuration, configFile);
        var agent = configuration.Build().GetSection(AgentOptions.SectionName);
        var socket = agent["StatusSocket"] ?? StatusSocketPaths.Default;
        var buffer = new Buffer.BufferOptions { Path = agent["Buffer:Path"] ?? "" };
        return StatusSocketPaths.Candidates(socket, buffer.EffectivePath);
    }

    private static async Task<(byte[]? Document, string Problem)> AskAsync(IReadOnlyList<string> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0) return (null, "no socket: Agent:StatusSocket is \"\" (off)");
        var problems = new List<string>();
        foreach (var path in candidates)
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await client.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token).ConfigureAwait(false);
                await using var stream = new NetworkStream(client, ownsSocket: false);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, timeout.Token).ConfigureAwait(false);
                return (buffer.ToArray(), "");
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                problems.Add($"{path} ({(ex is OperationCanceledException ? "no answer within 5 s" : ex.Message)})");
            }
        }
        return (null, string.Join(", nor at ", problems) + "; is it running? (systemctl status nexwatt-agent)");
    }
}
