using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// Every shipped register map against pymodbus (Debian's python3-pymodbus) serving a register image that Python packs
/// itself: `read --map NAME --json` must give the values the image holds, in the canonical unit and in our sign
/// convention (a battery charging at 2,000 W reads -2000 W however its vendor signs it).
/// </summary>
public sealed class PymodbusRegisterMapTests
{
    private sealed record Entry(int Unit, string Kind, int Address, string Type, object Value, string Order = "high", int Length = 0);

    private static Entry H(int unit, int address, string type, object value, string order = "high", int length = 0) => new(unit, "holding", address, type, value, order, length);

    private static Entry I(int unit, int address, string type, object value) => new(unit, "input", address, type, value);

    private static async Task<Dictionary<string, JsonElement>> ReadAsync(string map, IEnumerable<Entry> image, params string[] extra)
        => await ReadAsync(map, image, serial: false, extra);

    /// <summary>Serves the image with pymodbus over Modbus TCP, or over RTU on a socat pty pair, and reads it with `read --map`.</summary>
    private static async Task<Dictionary<string, JsonElement>> ReadAsync(string map, IEnumerable<Entry> image, bool serial, params string[] extra)
    {
        var file = Path.Combine(Path.GetTempPath(), $"nexwatt-map-image-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(image.Select(e => new
        {
            unit = e.Unit, kind = e.Kind, address = e.Address, type = e.Type, value = e.Value, order = e.Order, length = e.Length,
        })));
        try
        {
            var script = Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_map_server.py");
            await using var pty = serial ? await PtyPair.StartAsync() : null;
            await using var server = pty is null ? DebianPython.Start(script, file) : DebianPython.Start(script, file, "--serial", pty.B, "--baud", "19200");
            var ready = await server.WaitForLineAsync(l => l.StartsWith("READY", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            string[] where = pty is null ? ["--host", "127.0.0.1", "--port", ready["READY port=".Length..]] : ["--serial", pty.A, "--baud", "19200"];
            var (code, output) = await AgentProcess.RunAsync(["read", .. where, "--map", map, "--json", .. extra]);
            Assert.True(code == 0, $"{output}\npymodbus log:\n{server.Log}");
            return JsonDocument.Parse(AgentProcess.JsonPart(output)).RootElement.GetProperty("points").EnumerateArray()
                .ToDictionary(p => p.GetProperty("point").GetString()!, p => p.Clone());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double Value(Dictionary<string, JsonElement> points, string name) => points[name].GetProperty("value").GetDouble();

    private static void Canonical(Dictionary<string, JsonElement> points, string name, string canonical, string unit, double expected)
    {
        Assert.Equal(canonical, points[name].GetProperty("canonical").GetString());
        Assert.Equal(unit, points[name].GetProperty("unit").GetString());
        Assert.Equal(expected, Value(points, name), 6);
    }

    [Fact]
    public async Task Huawei_SUN2000_with_LUNA2000_battery_charging()
    {
        var points = await ReadAsync("huawei-sun2000", [
            H(1, 30000, "string", "SUN2000-10KTL-M1", length: 15), H(1, 30015, "string", "HV2150012345", length: 10),
            H(1, 32064, "int32", 5200), H(1, 32069, "uint16", 2305), H(1, 32080, "int32", 3000), H(1, 32085, "uint16", 5001),
            H(1, 32106, "uint32", 1234567), H(1, 37113, "int32", -800), H(1, 37760, "uint16", 655), H(1, 37765, "int32", 2000),
            H(1, 32082, "int32", 0x7FFFFFFF), H(1, 47077, "uint32", 5000)]);
        Canonical(points, "active_power", "ActivePowerW", "W", 3000);
        Canonical(points, "battery_power", "ActivePowerW", "W", -2000); // +2000 on the device = charging
        Assert.Equal("battery", points["battery_power"].GetProperty("subDevice").GetString());
        Canonical(points, "battery_soc", "StateOfChargePct", "Pct", 65.5);
        Canonical(points, "meter_active_power", "ActivePowerW", "W", -800); // importing
        Canonical(points, "grid_frequency", "FrequencyHz", "Hz", 50.01);
        Canonical(points, "phase_a_voltage", "VoltageV", "V", 230.5);
        Canonical(points, "accumulated_yield", "EnergyExportedWh", "Wh", 12345670);
        Assert.Equal(JsonValueKind.Null, points["reactive_power"].GetProperty("value").ValueKind); // 0x7FFFFFFF: not available
        Assert.False(points["reactive_power"].GetProperty("available").GetBoolean());
        Assert.Equal("SUN2000-10KTL-M1", points["model_name"].GetProperty("value").GetString());
    }

    [Fact]
    public async Task SolarEdge_StorEdge_battery_block_low_word_first()
    {
        var points = await ReadAsync("solaredge-storedge", [
            H(1, 40004, "string", "SolarEdge", length: 16), H(1, 40020, "string", "SE5000H", length: 16),
            H(1, 40083, "int16", 4500), H(1, 40084, "int16", 0), H(1, 40085, "uint16", 4999), H(1, 40086, "int16", -2),
            H(1, 40079, "uint16", 2301), H(1, 40082, "int16", -1), H(1, 40093, "uint32", 987654), H(1, 40095, "int16", 0),
            H(1, 57716, "float32", -1500.5, "low"), H(1, 57732, "float32", 80.25, "low"), H(1, 57670, "float32", 5000, "low")]);
        Canonical(points, "ac_power", "ActivePowerW", "W", 4500);
        Canonical(points, "frequency", "FrequencyHz", "Hz", 49.99);
        Canonical(points, "ac_voltage_an", "VoltageV", "V", 230.1);
        Canonical(points, "energy_total", "EnergyExportedWh", "Wh", 987654);
        Canonical(points, "battery_power", "ActivePowerW", "W", 1500.5); // -1500.5 on SolarEdge = discharging
        Canonical(points, "battery_soe", "StateOfChargePct", "Pct", 80.25);
        Assert.Equal(5000, Value(points, "battery_max_discharge_power"));
    }

    [Fact]
    public async Task SMA_Sunny_Boy_Storage_on_unit_3_with_NaN_values()
    {
        var points = await ReadAsync("sma-sunny-boy-storage", [
            H(3, 30051, "uint32", 8007), H(3, 30057, "uint32", 3012345678), H(3, 30231, "uint32", 5000),
            H(3, 30513, "uint64", 45678901), H(3, 30775, "int32", -2500), H(3, 30783, "uint32", 23012),
            H(3, 30803, "uint32", 0xFFFFFFFF), H(3, 30845, "uint32", 42)]);
        Canonical(points, "ac_power", "ActivePowerW", "W", -2500); // charging
        Canonical(points, "battery_soc", "StateOfChargePct", "Pct", 42);
        Canonical(points, "grid_voltage_l1", "VoltageV", "V", 230.12);
        Canonical(points, "total_yield", "EnergyExportedWh", "Wh", 45678901);
        Assert.Equal(JsonValueKind.Null, points["grid_frequency"].GetProperty("value").ValueKind); // SMA NaN
    }

    [Fact]
    public async Task Victron_GX_system_on_unit_100_and_VE_Bus_on_unit_227()
    {
        var points = await ReadAsync("victron-gx", [
            H(100, 800, "string", "c0619a", length: 6), H(100, 820, "int16", 1200), H(100, 840, "uint16", 528), H(100, 841, "int16", -150),
            H(100, 842, "int16", -790), H(100, 843, "uint16", 71), H(100, 850, "uint16", 2300), H(100, 2901, "uint16", 200), H(227, 37, "int16", 0)]);
        Canonical(points, "battery_power", "ActivePowerW", "W", 790); // -790 on Victron = discharging
        Canonical(points, "battery_soc", "StateOfChargePct", "Pct", 71);
        Canonical(points, "grid_l1_power", "ActivePowerW", "W", -1200); // importing
        Canonical(points, "pv_dc_power", "DcPowerW", "W", 2300);
        Assert.Equal(52.8, Value(points, "battery_voltage"), 6);
        Assert.Equal(20, Value(points, "ess_minimum_soc"), 6);
    }

    [Fact]
    public async Task Fronius_GEN24_int_and_scale_factor_with_model_124()
    {
        var points = await ReadAsync("fronius-gen24", [
            H(1, 40004, "string", "Fronius", length: 16), H(1, 40020, "string", "Primo GEN24 6.0 Plus", length: 16),
            H(1, 40083, "int16", 612), H(1, 40084, "int16", 1), H(1, 40085, "uint16", 5002), H(1, 40086, "int16", -2),
            H(1, 40071, "uint16", 265), H(1, 40075, "int16", -1), H(1, 40079, "uint16", 2299), H(1, 40082, "int16", -1),
            H(1, 40093, "uint32", 123456), H(1, 40095, "int16", 1),
            H(1, 40345, "uint16", 10240), H(1, 40361, "int16", 0), H(1, 40351, "uint16", 5550), H(1, 40365, "int16", -2),
            H(1, 40350, "uint16", 1000), H(1, 40364, "int16", -2), H(1, 40368, "int16", -2)]);
        Canonical(points, "ac_power", "ActivePowerW", "W", 6120);
        Canonical(points, "ac_current", "CurrentA", "A", 26.5);
        Canonical(points, "energy_total", "EnergyExportedWh", "Wh", 1234560);
        Canonical(points, "cha_state", "StateOfChargePct", "Pct", 55.5);
        Assert.Equal(10240, Value(points, "w_cha_max"));
        Assert.Equal(10, Value(points, "min_rsv_pct"), 6);
    }

    [Fact]
    public async Task Eastron_SDM630_input_registers_float32_import_positive()
    {
        var points = await ReadAsync("eastron-sdm630", [
            I(1, 0, "float32", 231.5), I(1, 2, "float32", 229.75), I(1, 4, "float32", 230.25), I(1, 48, "float32", 12.5),
            I(1, 52, "float32", 2875.5), I(1, 70, "float32", 50.0), I(1, 72, "float32", 1234.5), I(1, 74, "float32", 321.25)]);
        Canonical(points, "total_power", "ActivePowerW", "W", -2875.5); // the meter's +2875.5 is import
        Canonical(points, "voltage_l1", "VoltageV", "V", 231.5);
        Canonical(points, "frequency", "FrequencyHz", "Hz", 50);
        Canonical(points, "export_energy", "EnergyExportedWh", "Wh", 321250);
        Canonical(points, "current_sum", "CurrentA", "A", 12.5);
        Assert.Equal(1234500, Value(points, "import_energy"), 6);
    }

    [Fact]
    public async Task Eastron_SDM630_on_an_RTU_bus_reads_the_same_through_read_serial_map()
    {
        var points = await ReadAsync("eastron-sdm630", [
            I(1, 0, "float32", 231.5), I(1, 48, "float32", 12.5), I(1, 52, "float32", 2875.5), I(1, 70, "float32", 50.0)], serial: true);
        Canonical(points, "total_power", "ActivePowerW", "W", -2875.5);
        Canonical(points, "voltage_l1", "VoltageV", "V", 231.5);
        Canonical(points, "frequency", "FrequencyHz", "Hz", 50);
    }

    [Fact]
    public async Task A_device_that_is_not_of_the_map_is_refused_with_the_rule_that_failed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"nexwatt-map-image-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """[{"unit": 1, "kind": "holding", "address": 30000, "type": "string", "value": "NOT-A-HUAWEI", "length": 15}]""");
        try
        {
            await using var server = DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_map_server.py"), file);
            var port = (await server.WaitForLineAsync(l => l.StartsWith("READY port=", StringComparison.Ordinal), TimeSpan.FromSeconds(30)))["READY port=".Length..];
            var (code, output) = await AgentProcess.RunAsync("read", "--host", "127.0.0.1", "--port", port, "--map", "huawei-sun2000");
            Assert.Equal(4, code);
            Assert.Contains("does not look like a huawei-sun2000 device: model_name is 'NOT-A-HUAWEI'", output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
