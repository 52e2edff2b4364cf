using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.EdgeAgent.RegisterMaps;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Tests.RegisterMaps;

/// <summary>A device of type "map" in the agent: its options, its readings (canonical, sub-devices, sign) and its controller.</summary>
public sealed class RegisterMapDeviceTests
{
    private static readonly RegisterMap Huawei = AgentRegisterMaps.Load(null).Find("huawei-sun2000")!;

    [Fact]
    public void Every_shipped_map_loads_and_names_only_canonical_measurements_of_the_wire_contract()
    {
        var maps = AgentRegisterMaps.Load(null).Maps.Select(m => m.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["eastron-sdm630", "fronius-gen24", "huawei-sun2000", "sma-sunny-boy-storage", "solaredge-storedge", "victron-gx"], maps);
        Assert.All(AgentRegisterMaps.Load(null).Maps, m => Assert.False(string.IsNullOrWhiteSpace(m.Source)));
        Assert.All(AgentRegisterMaps.Load(null).Maps.SelectMany(m => m.Points).Where(p => p.Canonical is not null),
            p => Assert.Equal(CanonicalPoints.Units[p.Canonical!], p.Unit));
    }

    [Fact]
    public async Task A_poll_emits_canonical_readings_per_sub_device_in_our_sign_convention()
    {
        var client = new MapImageClient(Huawei);
        client.Set("model_name", "SUN2000-5KTL");
        client.Set("active_power", 1800);
        client.Set("battery_power", 2000);   // Huawei: positive while charging
        client.Set("battery_soc", 40.5);
        client.Set("meter_active_power", -300);
        client.Set("reactive_power", int.MaxValue); // Huawei's "not available"
        var controls = new DeviceControlRegistry();
        var health = new DeviceHealthBoard();
        var source = new RegisterMapDeviceSource(new DeviceOptions { Id = "hybrid", Type = "map", Map = Huawei.Name, Host = "h", UnitId = 1 },
            Huawei, client, health, TimeProvider.System, NullLogger.Instance, controls, new DispatchOptions());

        var poll = await source.ReadAsync(CancellationToken.None);

        Reading Find(string device, string point) => poll.Readings.Single(r => r.DeviceId == device && r.Point == point);
        Assert.Equal(1800, Find("hybrid", CanonicalPoints.ActivePowerW).Value);
        Assert.Equal(-2000, Find("hybrid.battery", CanonicalPoints.ActivePowerW).Value);
        Assert.Equal(40.5, Find("hybrid.battery", CanonicalPoints.StateOfChargePct).Value!.Value, 6);
        Assert.Equal(-300, Find("hybrid.meter", CanonicalPoints.ActivePowerW).Value);
        Assert.All(poll.Readings, r => Assert.Equal((ushort)CanonicalPoints.ModelId, r.ModelId));
        Assert.DoesNotContain(poll.Readings, r => r.Point is "model_name" or "forcible_command"); // identity and control registers are not telemetry
        Assert.Equal(ReadingQuality.NotImplemented, Find("hybrid", CanonicalPoints.ReactivePowerVar).Quality); // 0x7FFFFFFF
        Assert.Equal("SUN2000-5KTL", health.Describe("hybrid")!.Model);
        Assert.NotNull(controls.FindController("hybrid"));
        Assert.Same(controls.FindController("hybrid"), controls.FindController("hybrid.battery"));
    }

    [Fact]
    public async Task Another_device_at_the_address_is_a_device_fault_naming_the_rule()
    {
        var client = new MapImageClient(Huawei);
        client.Set("model_name", "SMA-SBS");
        var source = new RegisterMapDeviceSource(new DeviceOptions { Id = "x", Host = "h" }, Huawei, client, new DeviceHealthBoard(),
            TimeProvider.System, NullLogger.Instance, null, new DispatchOptions());
        var ex = await Assert.ThrowsAsync<MapMismatchException>(async () => await source.ReadAsync(CancellationToken.None));
        Assert.True(source.IsDeviceFault(ex));
        Assert.Contains("model_name is 'SMA-SBS'", ex.Message);
    }

    [Theory]
    [InlineData("map", null, "Agent:Devices:0:Map is empty")]
    [InlineData("map", "huawei-sun3000", "Agent:Devices:0:Map 'huawei-sun3000' is unknown; known maps: eastron-sdm630, fronius-gen24, huawei-sun2000")]
    [InlineData("sunspec", "huawei-sun2000", "Agent:Devices:0:Map is set but Type is 'sunspec'")]
    public void Map_options_are_checked_at_start(string type, string? map, string expected)
    {
        var options = new AgentOptions { SiteId = "s1", Devices = [new DeviceOptions { Type = type, Map = map, Host = "127.0.0.1" }] };
        var result = new AgentOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_map_device_validates_and_its_keys_are_known_to_the_text_check()
    {
        var options = new AgentOptions { SiteId = "s1", Devices = [new DeviceOptions { Type = "map", Map = "victron-gx", Host = "127.0.0.1" }] };
        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("Agent:SiteId", "s1"), new("Agent:RegisterMapsFolder", "/tmp"),
            new("Agent:Devices:0:Host", "127.0.0.1"), new("Agent:Devices:0:Type", "map"), new("Agent:Devices:0:Map", "victron-gx")]);
        Assert.Empty(AgentConfigurationCheck.Apply(configuration, new Dictionary<string, string>()));
    }

    [Fact]
    public void A_broken_user_map_fails_the_start_with_its_line()
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-maps-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "my-battery.json"), "{\n  \"name\": \"my-battery\",\n  \"source\": \"me\",\n  \"points\": [ { \"name\": \"p\", \"address\": 1, \"type\": \"int17\" } ]\n}\n");
            var options = new AgentOptions { SiteId = "s1", RegisterMapsFolder = folder.FullName };
            var failure = Assert.Single(new AgentOptionsValidator().Validate(null, options).Failures!, f => f.StartsWith("Agent:RegisterMapsFolder", StringComparison.Ordinal));
            Assert.Contains("my-battery.json: line 4, column", failure);
            Assert.Contains("'int17' is not one of", failure);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>An in-memory device image laid out by a map (holding and input registers of every unit read as zero unless set).</summary>
    private sealed class MapImageClient(RegisterMap map) : IModbusClient
    {
        private readonly ushort[] _holding = new ushort[65536];
        private readonly ushort[] _input = new ushort[65536];

        public void Set(string name, double value) { var p = map.Get(name); PointCodec.Encode(p, value, Words(p)); }

        public void Set(string name, string text) { var p = map.Get(name); PointCodec.EncodeString(p, text, Words(p)); }

        private Span<ushort> Words(RegisterPoint p) => (p.Kind == RegisterKind.Input ? _input : _holding).AsSpan(p.Address, p.Count);

        public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte u, ushort a, ushort c, CancellationToken t = default) => ValueTask.FromResult(_holding.AsSpan(a, c).ToArray());
        public ValueTask<ushort[]> ReadInputRegistersAsync(byte u, ushort a, ushort c, CancellationToken t = default) => ValueTask.FromResult(_input.AsSpan(a, c).ToArray());
        public ValueTask<bool[]> ReadCoilsAsync(byte u, ushort a, ushort c, CancellationToken t = default) => throw new ModbusRemoteException(1, ModbusExceptionCode.IllegalFunction);
        public ValueTask<bool[]> ReadDiscreteInputsAsync(byte u, ushort a, ushort c, CancellationToken t = default) => throw new ModbusRemoteException(2, ModbusExceptionCode.IllegalFunction);
        public ValueTask WriteSingleCoilAsync(byte u, ushort a, bool v, CancellationToken t = default) => throw new ModbusRemoteException(5, ModbusExceptionCode.IllegalFunction);
        public ValueTask WriteSingleRegisterAsync(byte u, ushort a, ushort v, CancellationToken t = default) { _holding[a] = v; return ValueTask.CompletedTask; }
        public ValueTask WriteMultipleCoilsAsync(byte u, ushort a, ReadOnlyMemory<bool> v, CancellationToken t = default) => throw new ModbusRemoteException(15, ModbusExceptionCode.IllegalFunction);
        public ValueTask WriteMultipleRegistersAsync(byte u, ushort a, ReadOnlyMemory<ushort> v, CancellationToken t = default) { v.Span.CopyTo(_holding.AsSpan(a)); return ValueTask.CompletedTask; }
    }
}
