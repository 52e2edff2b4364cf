using System.Globalization;

namespace Nexwatt.Bench;

/// <summary>The command line: <c>nexwatt-bench (modbus|scan|buffer|all) [options]</c>.</summary>
internal sealed record BenchArguments
{
    public const string Usage = """
        usage: nexwatt-bench <command> [options]

        commands:
          modbus   reads/s of 125 holding registers on loopback against a libmodbus server:
                   libmodbus client, pymodbus client, our client one at a time and pipelined
          modbus-rtu
                   Modbus RTU over a socat pty pair: 10-register reads/s and CPU per read of libmodbus's, pymodbus's
                   and our client against a pymodbus and a libmodbus RTU server; a poll of 4 units with one dead
          scan     time and request count of a full SunSpec discovery + read of hardware-sim devices
          buffer   the edge agent's durable buffer: append and drain rate, file size and bytes written per
                   reading, resident memory with N readings buffered
          buffer-contenders
                   our SQLite buffer against LiteDB (a document per reading, and our encoded poll per document):
                   append and drain rate, bytes on disk and written per reading, then a SIGKILL loop per store
          collector-store
                   the collector's storage: bulk insert rate of readings (batches of 2,500 from 12 sites, with
                   redeliveries) into SQLite and into a throwaway PostgreSQL 15 cluster
          mqtt     QoS 1 publish throughput of 100-byte payloads to Mosquitto: our client (window 100),
                   mosquitto_pub -l and paho-mqtt (inflight 100)
          collector-ingest
                   the real collector in process: readings/s over gRPC and MQTT into SQLite and PostgreSQL, with and
                   without a linked asset; reading-to-stored latency p50/p99 at full speed and at half of it
          dispatch instruction to all confirmations: the real collector in process, N sites in this process (each with
                   its own MQTT or gRPC connection, signature checks and hardware-sim battery over Modbus); p50/p99
          enphase  the real agent polling N simulated Enphase IQ Gateways (firmware 8, HTTPS + JWT) every 15 s beside a
                   SunSpec inverter and battery, against the agent with the SunSpec devices alone: CPU per gateway poll
                   and resident memory (--gateways N, default 20; --seconds S measured, default 60; --uplink: both agents
                   also upload over gRPC to the real collector in this process, so the HTTP stack is not Enphase's alone;
                   --uplink-tls: the same over TLS, as the package's default configuration does)
          agent-memory
                   the agent's resident memory as the package runs it (self-contained Release publish, N hardware-sim
                   SunSpec devices every 5 s), one agent per runtime setting: median and max VmRSS, its split, CPU
                   (--devices N, default 10; --seconds S sampled, default 60; --warmup S, default 30; --agent DIR a
                   publish to use instead of publishing; --variants a,b; --parallel K agents at a time, default 1)
          all      modbus and scan

        options:
          --seconds S      length of one measured round (default 5)
          --rounds N       measured rounds per contender; the median is reported (default 3 for modbus, 20 for scan)
          --warmup S       unmeasured warmup before the rounds (default 2)
          --in-flight K    requests in flight on one connection for the pipelined run (default 8)
          --sim PATH       hardware-sim.dll to run for `scan` (default: the one built beside this tool)
          --diagnostics    modbus: also measure a raw .NET socket loop (the floor) and sample what our client allocates
          --readings N     buffer: readings to append and drain (default 1000000; the recorded run uses 10000000);
                           collector-store: unique readings to insert (default 1000000)
          --kills N        buffer-contenders: SIGKILLs per store in the kill loop (default 10)
          --messages N     mqtt: messages per contender per round (default 200000)
          --agents N       collector-ingest: concurrent agents, one site each (default 8)
          --window K       collector-ingest: batches in flight per agent (default 4)
          --transport T    collector-ingest and dispatch: grpc, mqtt or both (default both)
          --sites N        dispatch: simulated sites, one battery each (default 1000)
          --gateways N     enphase: simulated gateways polled by the agent (default 20)
          --store S        collector-ingest: sqlite, postgres or both (default both)
                           (collector-ingest also takes --readings, per scenario at full speed, and --seconds, the
                           length of the paced phase)
        """;

    public required string Command { get; init; }
    public double Seconds { get; init; } = 5;
    public double? SecondsOption { get; init; }
    public int Gateways { get; init; } = 20;
    public int Rounds { get; init; } = 3;
    public int? RoundsOption { get; init; }
    public double WarmupSeconds { get; init; } = 2;
    public int InFlight { get; init; } = 8;
    public string? SimulatorPath { get; init; }
    public bool Diagnostics { get; init; }
    public long Readings { get; init; } = 1_000_000;
    public int Messages { get; init; } = 200_000;
    public int Kills { get; init; } = 10;
    public int Agents { get; init; } = 8;
    public int Window { get; init; } = 4;
    public string IngestTransport { get; init; } = "both";
    public string IngestStore { get; init; } = "both";
    public int Sites { get; init; } = 1000;
    public double? WarmupOption { get; init; }
    public int Devices { get; init; } = 10;
    public string? AgentPath { get; init; }
    public IReadOnlySet<string>? Variants { get; init; }
    public int Parallel { get; init; } = 1;
    public bool Uplink { get; init; }
    public bool UplinkTls { get; init; }

    /// <summary>Parses the arguments; throws <see cref="FormatException"/> with a message for the user.</summary>
    public static BenchArguments Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help") throw new FormatException("");
        var command = args[0];
        if (command is not ("modbus" or "modbus-rtu" or "scan" or "buffer" or "buffer-contenders" or "mqtt" or "collector-store" or "collector-ingest" or "dispatch" or "enphase" or "agent-memory" or "all")) throw new FormatException($"unknown command '{command}'");
        var result = new BenchArguments { Command = command };
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--diagnostics")
            {
                result = result with { Diagnostics = true };
                continue;
            }
            if (args[i] is "--uplink" or "--uplink-tls")
            {
                result = result with { Uplink = true, UplinkTls = args[i] == "--uplink-tls" };
                continue;
            }
            var (key, value) = args[i].Split('=', 2) is [var k, var v] ? (k, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (value is null) throw new FormatException($"option {key} needs a value");
            result = key switch
            {
                "--seconds" => result with { Seconds = Positive(key, ParseDouble(key, value)), SecondsOption = Positive(key, ParseDouble(key, value)) },
                "--gateways" => result with { Gateways = (int)Positive(key, ParseInt(key, value)) },
                "--rounds" => result with { RoundsOption = (int)Positive(key, ParseInt(key, value)) },
                "--warmup" => result with { WarmupSeconds = ParseDouble(key, value) is >= 0 and var w ? w : throw new FormatException("--warmup must be >= 0"), WarmupOption = ParseDouble(key, value) },
                "--devices" => result with { Devices = (int)Positive(key, ParseInt(key, value)) },
                "--agent" => result with { AgentPath = Path.GetFullPath(value) },
                "--variants" => result with { Variants = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) },
                "--parallel" => result with { Parallel = (int)Positive(key, ParseInt(key, value)) },
                "--in-flight" => result with { InFlight = (int)Positive(key, ParseInt(key, value)) },
                "--sim" => result with { SimulatorPath = value },
                "--readings" => result with { Readings = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1000
                    ? n : throw new FormatException("--readings must be an integer >= 1000") },
                "--messages" => result with { Messages = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) && m >= 1000
                    ? m : throw new FormatException("--messages must be an integer >= 1000") },
                "--kills" => result with { Kills = (int)Positive(key, ParseInt(key, value)) },
                "--agents" => result with { Agents = (int)Positive(key, ParseInt(key, value)) },
                "--sites" => result with { Sites = (int)Positive(key, ParseInt(key, value)) },
                "--window" => result with { Window = (int)Positive(key, ParseInt(key, value)) },
                "--transport" => result with { IngestTransport = value is "grpc" or "mqtt" or "both" ? value : throw new FormatException("--transport must be grpc, mqtt or both") },
                "--store" => result with { IngestStore = value is "sqlite" or "postgres" or "both" ? value : throw new FormatException("--store must be sqlite, postgres or both") },
                _ => throw new FormatException($"unknown option '{key}'"),
            };
        }
        return result with { Rounds = result.RoundsOption ?? 3 };
    }

    /// <summary>Rounds for the scan, which is short, so more of them by default.</summary>
    public int ScanRounds => RoundsOption ?? 20;

    private static double ParseDouble(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new FormatException($"{key}: '{value}' is not a number");

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{key}: '{value}' is not an integer");

    private static double Positive(string key, double value) => value > 0 ? value : throw new FormatException($"{key} must be > 0");
}
