using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec.Tests.Support;

namespace Nexwatt.Protocols.SunSpec.Tests;

public sealed class DiscoveryTests
{
    private static SunSpecModelCatalog Catalog => SunSpecModelCatalog.LoadBuiltIn();

    private static SunSpecDeviceImage Image(ushort baseAddress = 40000)
    {
        var builder = new SunSpecDeviceImageBuilder(baseAddress);
        var common = builder.Add(Catalog.Get(1));
        common.WriteString("Mn", "Nexwatt");
        builder.Add(Catalog.Get(103));
        return builder.Build();
    }

    [Fact]
    public async Task Tries_50000_after_40000_answers_illegal_address()
    {
        var image = Image(50000);
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.NotNull(map);
        Assert.Equal(50000, map.BaseAddress);
        Assert.Equal([(40000, 2), (50000, 2)], client.Reads.Take(2).Select(r => ((int)r.Address, (int)r.Count)));
        Assert.Equal([50002, 50070], map.Models.Select(m => (int)m.Address));
    }

    [Fact]
    public async Task Configured_bases_are_tried_first()
    {
        var image = Image(1);
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers);
        var options = new SunSpecDiscoveryOptions { ExtraBaseAddresses = [1] };
        var map = await new SunSpecDiscovery(client, options).DiscoverAsync(1, CancellationToken.None);
        Assert.Equal(1, map!.BaseAddress);
        Assert.Equal(1, client.Reads[0].Address);
    }

    [Fact]
    public async Task Returns_null_when_no_base_holds_the_marker()
    {
        var client = FakeModbusClient.From(40000, new ushort[10]);
        Assert.Null(await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None));
        Assert.Equal(3, client.ReadRequests);
    }

    [Fact]
    public async Task Communication_failures_and_timeouts_propagate()
    {
        var client = FakeModbusClient.From(40000, Image().Registers);
        client.Failure = new ModbusCommunicationException("connection refused");
        await Assert.ThrowsAsync<ModbusCommunicationException>(() => new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None));
        client.Failure = new TimeoutException();
        await Assert.ThrowsAsync<TimeoutException>(() => new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None));
        client.Failure = null;
        client.Rejections[40000] = ModbusExceptionCode.ServerDeviceBusy; // transient: not "not SunSpec"
        await Assert.ThrowsAsync<ModbusRemoteException>(() => new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_propagates()
    {
        var client = FakeModbusClient.From(40000, Image().Registers);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SunSpecDiscovery(client).DiscoverAsync(1, cts.Token));
    }

    [Fact]
    public async Task A_chain_without_end_model_ends_at_illegal_address()
    {
        var image = Image();
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers[..^2]);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.Equal(2, map!.Models.Count);
    }

    [Fact]
    public async Task A_looping_chain_stops_at_MaxModels()
    {
        // A model with L = 0 followed by itself forever: ID 64000, L 0 repeated.
        var registers = new List<ushort> { 0x5375, 0x6E53 };
        for (var i = 0; i < 500; i++) registers.AddRange([64000, 0]);
        var client = FakeModbusClient.From(40000, registers);
        var map = await new SunSpecDiscovery(client, new SunSpecDiscoveryOptions { MaxModels = 20 }).DiscoverAsync(1, CancellationToken.None);
        Assert.Equal(20, map!.Models.Count);
        Assert.All(map.Models, m => Assert.Null(m.Definition));
        Assert.Equal(21, map.RequestCount);
    }

    [Fact]
    public async Task Unknown_models_are_kept_and_skipped_by_length()
    {
        var registers = new List<ushort> { 0x5375, 0x6E53, 64999, 3, 7, 7, 7 };
        var common = SunSpecModelBlock.Create(Catalog.Get(1));
        registers.AddRange(common.Registers.ToArray());
        registers.AddRange([0xFFFF, 0]);
        var client = FakeModbusClient.From(40000, registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        Assert.Equal([new SunSpecModelLocation(64999, 40002, 3, null), new SunSpecModelLocation(1, 40007, 66, Catalog.Get(1))], map!.Models);
        Assert.Single(await SunSpecDeviceReader.ReadAllAsync(client, map, SunSpecWordOrder.HighWordFirst, CancellationToken.None));
    }

    [Fact]
    public async Task Reader_detects_a_changed_length()
    {
        var image = Image();
        var client = FakeModbusClient.From(image.BaseAddress, image.Registers);
        var map = await new SunSpecDiscovery(client).DiscoverAsync(1, CancellationToken.None);
        var stale = map!.Models[1] with { Length = 48 };
        await Assert.ThrowsAsync<SunSpecDecodingException>(() => SunSpecDeviceReader.ReadModelAsync(client, 1, stale, SunSpecWordOrder.HighWordFirst, CancellationToken.None));
        Assert.Equal("Nexwatt", (await SunSpecDeviceReader.ReadCommonAsync(client, map, CancellationToken.None))!.Manufacturer);
    }
}
