using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protos.V1;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;
using Result = Nexwatt.Protos.V1.SetpointAck.Types.Result;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>The engine and the SunSpec applier against a real hardware-sim battery process.</summary>
public sealed class DispatchSimulatorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Bad_setpoints_are_rejected_without_a_write_and_a_signed_discharge_moves_the_battery_with_its_revert_timer_set()
    {
        await using var battery = await SimulatedSunSpecDevice.StartAsync();
        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var options = new DispatchOptions { RevertTimeout = TimeSpan.FromSeconds(30), MeasureSettleTime = TimeSpan.FromSeconds(5) };
        var engine = new DispatchEngine(new SetpointVerifier(collector.Pinned(), "site-1", options.ClockSkewTolerance),
            new SunSpecSiteDevices(battery.Registry("battery"), options, TimeProvider.System), options, "site-1", TimeProvider.System, NullLogger.Instance);
        var acks = new List<SetpointAck>();
        async Task<SetpointAck> Send(byte[] payload)
        {
            var before = acks.Count;
            await engine.HandleAsync(payload, acks.Add, CancellationToken.None);
            return Assert.Single(acks.Skip(before));
        }

        var good = collector.Setpoint("sp-good", targets: [Watts("battery", 2000)]);
        var tampered = collector.Sign(good);
        tampered.Setpoint = collector.Setpoint("sp-good", targets: [Watts("battery", 4900)]).ToByteString();
        var expired = collector.Setpoint("sp-old", start: DateTimeOffset.UtcNow.AddMinutes(-10), lifetime: TimeSpan.FromMinutes(5), targets: [Watts("battery", 2000)]);
        var unsigned = new SignedSetpoint { Setpoint = good.ToByteString() };
        var otherSite = collector.Setpoint("sp-other", site: "site-2", targets: [Watts("battery", 2000)]);
        var overRating = collector.Setpoint("sp-big", targets: [Watts("battery", 1_000_000)]);

        Assert.Equal("bad signature", (await Send(tampered.ToByteArray())).Reason);
        Assert.Equal("expired", (await Send(collector.Signed(expired))).Reason);
        Assert.Equal("unsigned", (await Send(unsigned.ToByteArray())).Reason);
        Assert.Equal("for site site-2, not this site", (await Send(collector.Signed(otherSite))).Reason);
        var rejected = await Send(collector.Signed(overRating));
        Assert.Equal(Result.Rejected, rejected.Result);
        Assert.StartsWith("exceeds rating", Assert.Single(rejected.Targets).Reason);
        Assert.All(acks, a => Assert.Equal(Result.Rejected, a.Result));

        var applied = await Send(collector.Signed(good));
        Assert.Equal(Result.Applied, applied.Result);
        var target = Assert.Single(applied.Targets);
        Assert.Equal(2000, target.CommandedW, 0.5);
        // Measured after the device's own tick: within 2 % of its 5 kW rating (the settle tolerance).
        Assert.InRange(target.MeasuredW, 1900, 2100);
        Assert.Equal(target.MeasuredW, applied.MeasuredW);
        // A replay of the applied setpoint is answered the same and writes nothing more.
        Assert.Same(applied, await Send(collector.Signed(good)));

        var storage = await battery.ReadAsync(124);
        Assert.Equal(2, storage.Read("StorCtl_Mod").Raw);
        Assert.Equal(30, storage.Read("InOutWRte_RvrtTms").Raw);
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await battery.WattsAsync() - 2000) <= 50, Patience),
            $"802 W did not reach 2000 W: {await battery.WattsAsync()} W");

        // The WRITE log is ordered: the applied setpoint's writes are the only ones, so the bad ones wrote nothing.
        var storageAddress = battery.Map.Find(124)!.Address;
        await battery.Site.Process.WaitForLineAsync(l => l == $"WRITE battery-1 address={storageAddress + 5} count=1", Patience);
        Assert.Equal([$"WRITE battery-1 address={storageAddress + 12} count=4", $"WRITE battery-1 address={storageAddress + 5} count=1"], battery.Writes);

        // The end of the window (here: a stop) puts the battery back to idle.
        var stop = await Send(collector.Signed(collector.Setpoint("sp-stop", issued: DateTimeOffset.UtcNow)));
        Assert.Equal(Result.Applied, stop.Result);
        Assert.Equal(0, (await battery.ReadAsync(124)).Read("StorCtl_Mod").Raw);
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await battery.WattsAsync()) <= 50, Patience));
    }

    [Fact]
    public async Task A_signed_export_limit_curtails_a_simulated_inverter_with_its_revert_timer_set_and_a_stop_lifts_it()
    {
        // Noon at 40°N in June: the inverter produces well above the 30 % limit before the setpoint.
        await using var inverter = await SimulatedSunSpecDevice.StartAsync("inverter",
            "--inverter", "127.0.0.1:0", "--latitude", "40", "--longitude", "0", "--start-time", "2026-06-21T12:00:00Z");
        var rating = (await inverter.ReadAsync(121)).Read("WMax").Value!.Value;
        async Task<double> AcWattsAsync() => (await inverter.ReadAsync(103)).Read("W").Value ?? double.NaN;
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => await AcWattsAsync() > 0.5 * rating, Patience), "the inverter does not produce");

        using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
        var options = new DispatchOptions { RevertTimeout = TimeSpan.FromSeconds(30), MeasureSettleTime = TimeSpan.Zero };
        var engine = new DispatchEngine(new SetpointVerifier(collector.Pinned(), "site-1", options.ClockSkewTolerance),
            new SunSpecSiteDevices(inverter.Registry("pv"), options, TimeProvider.System), options, "site-1", TimeProvider.System, NullLogger.Instance);
        var acks = new List<SetpointAck>();

        await engine.HandleAsync(collector.Signed(collector.Setpoint("sp-curtail", targets: [new SetpointTarget { DeviceId = "pv", ExportLimitPct = 30 }])), acks.Add, CancellationToken.None);
        Assert.Equal(Result.Applied, Assert.Single(acks).Result);
        var controls = await inverter.ReadAsync(123);
        Assert.Equal((1L, 30L), (controls.Read("WMaxLim_Ena").Raw, controls.Read("WMaxLimPct_RvrtTms").Raw));
        Assert.Equal(30, controls.Read("WMaxLimPct").Value!.Value, 3);
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => await AcWattsAsync() <= 0.3 * rating + 1, Patience),
            $"the inverter still exports {await AcWattsAsync()} W of {rating} W");

        await engine.HandleAsync(collector.Signed(collector.Setpoint("sp-stop", issued: DateTimeOffset.UtcNow)), acks.Add, CancellationToken.None);
        Assert.Equal(0, (await inverter.ReadAsync(123)).Read("WMaxLim_Ena").Raw);
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => await AcWattsAsync() > 0.5 * rating, Patience), "the limit was not lifted");
    }
}
