using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nexwatt.EdgeAgent.RegisterMaps;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.RegisterMaps;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>
/// `nexwatt-agent read --host H [--port P] [--unit U] --map NAME [--json]`: reads one device through a shipped or user
/// register map and prints every point with its canonical measurement, unit and value in the project's sign convention.
/// </summary>
internal static class ReadMapCommand
{
    public const int NotThatDevice = 4;
    public const int BadMap = 5;

    /// <summary>The options `read` gains for maps; the SunSpec path runs when --map is absent.</summary>
    public static (Option<string?> Map, Option<DirectoryInfo?> Folder) AddOptions(Command read)
    {
        var map = new Option<string?>("--map") { Description = "Read through this register map (e.g. huawei-sun2000) instead of SunSpec discovery." };
        var folder = new Option<DirectoryInfo?>("--maps-folder") { Description = "A folder of your own register maps (NAME.json)." };
        read.Options.Add(map);
        read.Options.Add(folder);
        return (map, folder);
    }

    /// <summary>Reads over <paramref name="rtu"/> when given (--serial), else over Modbus TCP at host and port.</summary>
    public static async Task<int> RunAsync(string name, DirectoryInfo? folder, string? host, int port, int? unit, TimeSpan timeout, bool json,
        ModbusRtuLink? rtu, CancellationToken cancellationToken)
    {
        RegisterMap map;
        try
        {
            var catalog = AgentRegisterMaps.Load(folder?.FullName);
            map = catalog.Find(name) ?? throw new KeyNotFoundException(
                $"register map '{name}' is unknown; known: {string.Join(", ", catalog.Maps.Select(m => m.Name).Order(StringComparer.Ordinal))}");
        }
        catch (Exception ex) when (ex is RegisterMapException or KeyNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return BadMap;
        }
        var unitId = (byte)(unit ?? map.Defaults.UnitId);
        var endpoint = rtu?.Name ?? $"{host}:{port}";
        await using var pool = new ModbusLinkPool();
        IModbusClient link = rtu ?? (IModbusClient)pool.GetLink(new ModbusTcpLinkOptions { Host = host!, Port = port, ConnectTimeout = timeout, ResponseTimeout = timeout });
        try
        {
            if (await MapIdentification.MismatchAsync(link, map, unitId, cancellationToken).ConfigureAwait(false) is { } why)
            {
                await Console.Error.WriteLineAsync($"{endpoint} unit {unitId} does not look like a {map.Name} device: {why}").ConfigureAwait(false);
                return NotThatDevice;
            }
            var readings = await RegisterMapReader.ReadAsync(link, map, unitId, map.Points, cancellationToken).ConfigureAwait(false);
            if (json) WriteJson(endpoint, unitId, map, readings);
            else WriteTable(endpoint, unitId, map, readings);
            return 0;
        }
        catch (Exception ex) when (ex is ModbusException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"Cannot read {endpoint} unit {unitId} through {map.Name}: {ex.Message}").ConfigureAwait(false);
            return ReadCommand.Unreachable;
        }
    }

    private static void WriteTable(string endpoint, byte unitId, RegisterMap map, IReadOnlyList<PointReading> readings)
    {
        Console.WriteLine($"{endpoint} unit {unitId}: {map.Manufacturer} via register map {map.Name}");
        var rows = readings.Select(r => (r.Point.Name, Address: $"{Lower(r.Point.Kind)} {r.Point.Address}",
            Canonical: r.Point.Canonical is { } c ? (r.Point.SubDevice is { } s ? $"{s}/{c}" : c) : "",
            Value: r.Point.Canonical is null ? r.Value.ToString() : Format(r.CanonicalValue), Unit: r.Point.Unit ?? "")).ToList();
        var name = Math.Max(5, rows.Max(r => r.Name.Length));
        var address = Math.Max(7, rows.Max(r => r.Address.Length));
        var canonical = Math.Max(9, rows.Max(r => r.Canonical.Length));
        var value = Math.Max(5, rows.Max(r => r.Value.Length));
        Console.WriteLine($"  {"point".PadRight(name)}  {"address".PadRight(address)}  {"canonical".PadRight(canonical)}  {"value".PadLeft(value)}  unit");
        foreach (var r in rows)
            Console.WriteLine($"  {r.Name.PadRight(name)}  {r.Address.PadRight(address)}  {r.Canonical.PadRight(canonical)}  {r.Value.PadLeft(value)}  {r.Unit}");
    }

    private static void WriteJson(string endpoint, byte unitId, RegisterMap map, IReadOnlyList<PointReading> readings)
    {
        using var stream = Console.OpenStandardOutput();
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("endpoint", endpoint);
        writer.WriteNumber("unit", unitId);
        writer.WriteString("map", map.Name);
        writer.WriteString("manufacturer", map.Manufacturer);
        writer.WriteBoolean("controllable", map.Control is not null);
        writer.WriteStartArray("points");
        foreach (var r in readings)
        {
            writer.WriteStartObject();
            writer.WriteString("point", r.Point.Name);
            writer.WriteString("kind", Lower(r.Point.Kind));
            writer.WriteNumber("address", r.Point.Address);
            if (r.Point.Unit is { } unit) writer.WriteString("unit", unit);
            if (r.Point.SubDevice is { } sub) writer.WriteString("subDevice", sub);
            if (r.Point.Canonical is { } canonical)
            {
                // The canonical value is in the project's sign convention (export and discharge positive).
                writer.WriteString("canonical", canonical);
                if (r.CanonicalValue is { } v) writer.WriteNumber("value", v); else writer.WriteNull("value");
            }
            else if (r.Value.Kind == PointValueKind.Text) writer.WriteString("value", r.Value.Text);
            else if (r.Value.AsNumber is { } n) writer.WriteNumber("value", n);
            else writer.WriteNull("value");
            writer.WriteBoolean("available", r.Value.Kind != PointValueKind.NotAvailable);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "n/a";

    private static string Lower(RegisterKind kind) => kind.ToString().ToLowerInvariant();
}
