using Nexwatt.EdgeAgent.Dispatch;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

public sealed class DispatchLimitsTests
{
    private static readonly DeviceControlState Battery = new("battery", HasStorageControls: true, HasCurtailmentControls: false, RatingWatts: 5000, StateOfChargePercent: 60, ReservePercent: 20);
    private static readonly DeviceControlState Inverter = new("pv", HasStorageControls: false, HasCurtailmentControls: true, null, null, null);

    [Fact]
    public void A_target_within_the_rating_is_planned()
    {
        var (plan, reason) = DispatchLimits.CheckTarget(Watts("battery", -3000), Battery);
        Assert.Null(reason);
        Assert.Equal(PlannedTarget.Power("battery", -3000), plan);
    }

    [Fact]
    public void An_undiscovered_device_is_rejected() => Assert.Equal("unknown device ghost", DispatchLimits.CheckTarget(Watts("ghost", 100), null).Reason);

    [Fact]
    public void Battery_power_needs_storage_controls_and_an_export_limit_needs_model_123()
    {
        Assert.Contains("no storage control", DispatchLimits.CheckTarget(Watts("pv", 100), Inverter).Reason);
        Assert.Contains("no export limit control", DispatchLimits.CheckTarget(ExportLimit("battery", 50), Battery).Reason);
        Assert.Equal(PlannedTarget.ExportLimit("pv", 40), DispatchLimits.CheckTarget(ExportLimit("pv", 40), Inverter).Plan);
        Assert.Contains("outside 0-100", DispatchLimits.CheckTarget(ExportLimit("pv", 140), Inverter).Reason);
    }

    [Theory]
    [InlineData(5001)]
    [InlineData(-6000)]
    public void More_than_the_rating_either_way_is_rejected(double watts)
        => Assert.Equal("exceeds rating 5000 W", DispatchLimits.CheckTarget(Watts("battery", watts), Battery).Reason);

    [Fact]
    public void Discharge_at_or_below_the_reserve_is_rejected_but_charging_there_is_fine()
    {
        var atReserve = Battery with { StateOfChargePercent = 20 };
        Assert.StartsWith("at reserve", DispatchLimits.CheckTarget(Watts("battery", 1000), atReserve).Reason);
        Assert.NotNull(DispatchLimits.CheckTarget(Watts("battery", -1000), atReserve).Plan);
    }

    [Fact]
    public void A_device_without_a_rating_is_rejected()
        => Assert.Contains("rating", DispatchLimits.CheckTarget(Watts("battery", 100), Battery with { RatingWatts = null }).Reason);

    [Fact]
    public void Site_limits_apply_to_the_sum_of_the_targets_in_each_direction()
    {
        using var factory = new SetpointFactory(DateTimeOffset.UnixEpoch);
        var options = new DispatchOptions { MaxSiteDischargeW = 6000, MaxSiteChargeW = 4000 };
        var fine = factory.Setpoint("a", targets: [Watts("b1", 3000), Watts("b2", 3000), Watts("b3", -4000)]);
        Assert.Null(DispatchLimits.CheckSite(fine, options));
        var tooMuchDischarge = factory.Setpoint("b", targets: [Watts("b1", 3000), Watts("b2", 3001)]);
        Assert.Equal("site discharge 6001 W exceeds the site limit 6000 W", DispatchLimits.CheckSite(tooMuchDischarge, options));
        var tooMuchCharge = factory.Setpoint("c", targets: [Watts("b1", -2500), Watts("b2", -2500)]);
        Assert.Equal("site charge 5000 W exceeds the site limit 4000 W", DispatchLimits.CheckSite(tooMuchCharge, options));
        Assert.Null(DispatchLimits.CheckSite(tooMuchCharge, new DispatchOptions()));
    }

    [Fact]
    public void A_discharge_at_or_below_the_subscribers_reserve_is_rejected_and_above_it_carries_the_reserve()
    {
        var target = Watts("battery", 2000);
        target.MinSocPct = 60;
        var low = DispatchLimits.CheckTarget(target, Battery with { StateOfChargePercent = 60 });
        Assert.Null(low.Plan);
        Assert.Contains("subscriber's reserve", low.Reason);
        var (plan, reason) = DispatchLimits.CheckTarget(target, Battery with { StateOfChargePercent = 61 });
        Assert.Null(reason);
        Assert.Equal(60, plan!.MinStateOfChargePercent);
        Assert.True(DispatchLimits.ReachedReserve(plan, Battery with { StateOfChargePercent = 59.9 }));
        Assert.False(DispatchLimits.ReachedReserve(plan, Battery with { StateOfChargePercent = 60.1 }));
        target.MinSocPct = 120;
        Assert.Contains("outside 0-100", DispatchLimits.CheckTarget(target, Battery).Reason);
    }
}
