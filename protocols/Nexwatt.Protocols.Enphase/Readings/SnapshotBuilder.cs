using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.Protocols.Enphase.Readings;

/// <summary>
/// Turns one poll's decoded endpoints into measurements per sub-device, in the project's sign convention.
/// Sources in order of trust: the CT meters (/ivp/meters/readings), then the metered entries of /production.json,
/// then the microinverter totals (/api/v1/production, the "inverters" entry of /production.json, the 3.x page).
/// Gateway signs, checked against the captures: a production CT is positive when producing; a net-consumption CT is
/// positive when importing (so the grid's export-positive power is its negation); a total-consumption CT is the load;
/// a storage CT and /ivp/ensemble/power are positive when discharging (8.2.127 and 8.3.1598 show both negative
/// together); an AC Battery's wNow is positive while "discharging".
/// </summary>
public static class SnapshotBuilder
{
    public static IReadOnlyList<GatewayMeasurement> Build(GatewaySnapshot snapshot)
    {
        var output = new List<GatewayMeasurement>();
        var fromMeters = AddMeters(snapshot, output);
        if (!fromMeters) AddMeteredProduction(snapshot, output);
        if (!output.Any(m => m.SubDevice == SubDevices.Production)) AddInverterTotals(snapshot, output);
        AddBatteries(snapshot, output);
        foreach (var inverter in snapshot.Inverters ?? [])
        {
            var at = inverter.ReportTime ?? snapshot.ReceivedAt;
            var id = SubDevices.Inverter(inverter.Serial);
            output.Add(new(id, Quantity.ActivePowerW, inverter.PowerW, at));
            if (inverter.AcVoltageV is not null) output.Add(new(id, Quantity.VoltageV, inverter.AcVoltageV, at));
            if (inverter.AcFrequencyHz is not null) output.Add(new(id, Quantity.FrequencyHz, inverter.AcFrequencyHz, at));
        }
        return output;
    }

    /// <summary>True when the gateway is metered but has no CT in use: from 8.2.4264 its /api/v1/production may stall.</summary>
    public static bool ApiV1ProductionMayStall(GatewayInfo info, IReadOnlyList<MeterConfig>? meters) =>
        info.Metered == true && info.Firmware >= FirmwareVersion.ApiV1ProductionStalls && meters is not null && !meters.Any(m => m.Enabled);

    private static bool AddMeters(GatewaySnapshot s, List<GatewayMeasurement> output)
    {
        if (s.Meters is null || s.MeterReadings is null) return false;
        var readings = s.MeterReadings.DistinctBy(r => r.Eid).ToDictionary(r => r.Eid);
        MeterReading? Find(string type) => s.Meters.FirstOrDefault(m => m.Enabled && m.MeasurementType == type) is { } c
            && readings.TryGetValue(c.Eid, out var r) ? r : null;
        int Phases(string type) => s.Meters.FirstOrDefault(m => m.MeasurementType == type)?.PhaseCount ?? int.MaxValue;

        var production = Find("production");
        var net = Find("net-consumption");
        var total = Find("total-consumption");
        var storage = Find("storage");
        if (production is null && net is null && total is null && storage is null) return false;

        if (production is not null)
            AddMeter(output, SubDevices.Production, production, Phases("production"), +1, s.ReceivedAt);
        if (net is not null)
        {
            AddMeter(output, SubDevices.Grid, net, Phases("net-consumption"), -1, s.ReceivedAt);
            // The load is what the grid brings plus what the array makes: total = net + production.
            if (production is not null) AddDerived(output, SubDevices.Consumption, net, production, Phases("net-consumption"), netIsFirst: true, s.ReceivedAt);
        }
        if (total is not null)
        {
            AddMeter(output, SubDevices.Consumption, total, Phases("total-consumption"), -1, s.ReceivedAt);
            if (production is not null && net is null) AddDerived(output, SubDevices.Grid, total, production, Phases("total-consumption"), netIsFirst: false, s.ReceivedAt);
        }
        if (storage is not null)
            AddMeter(output, SubDevices.StorageMeter, storage, Phases("storage"), +1, s.ReceivedAt);
        return true;
    }

    /// <param name="sign">+1 when the meter's positive direction is export/discharge; -1 when it is import (net, load).</param>
    private static void AddMeter(List<GatewayMeasurement> output, string subDevice, MeterReading meter, int phaseCount, int sign, DateTimeOffset fallback)
    {
        AddValues(output, subDevice, meter.Total, sign, fallback);
        for (var i = 0; i < Math.Min(phaseCount, meter.Phases.Count); i++)
            AddValues(output, SubDevices.Phase(subDevice, i), meter.Phases[i], sign, fallback);
    }

    private static void AddValues(List<GatewayMeasurement> output, string id, MeterValues v, int sign, DateTimeOffset fallback)
    {
        var at = v.Timestamp ?? fallback;
        output.Add(new(id, Quantity.ActivePowerW, sign * v.ActivePowerW, at));
        output.Add(new(id, Quantity.ReactivePowerVar, sign * v.ReactivePowerVar, at));
        output.Add(new(id, Quantity.ApparentPowerVa, v.ApparentPowerVa, at));
        output.Add(new(id, Quantity.PowerFactor, v.PowerFactor, at));
        output.Add(new(id, Quantity.VoltageV, v.VoltageV, at));
        output.Add(new(id, Quantity.CurrentA, v.CurrentA, at));
        output.Add(new(id, Quantity.FrequencyHz, v.FrequencyHz, at));
        // "Delivered" is the meter's positive direction: produced, imported (net), consumed (load), discharged.
        output.Add(new(id, sign > 0 ? Quantity.EnergyExportedWh : Quantity.EnergyImportedWh, v.EnergyDeliveredWh, at));
        output.Add(new(id, sign > 0 ? Quantity.EnergyImportedWh : Quantity.EnergyExportedWh, v.EnergyReceivedWh, at));
    }

    /// <summary>
    /// The flow no CT measures, from the two that do: consumption = net + production (load negative), or
    /// grid = production - total (export positive). Power only: the energies of a derived flow are not metered.
    /// </summary>
    private static void AddDerived(List<GatewayMeasurement> output, string subDevice, MeterReading first, MeterReading production, int phaseCount, bool netIsFirst, DateTimeOffset fallback)
    {
        double? Combine(double? a, double? p) => a is { } x && p is { } y ? (netIsFirst ? -(x + y) : y - x) : null;
        output.Add(new(subDevice, Quantity.ActivePowerW, Combine(first.Total.ActivePowerW, production.Total.ActivePowerW), first.Total.Timestamp ?? fallback));
        for (var i = 0; i < Math.Min(phaseCount, Math.Min(first.Phases.Count, production.Phases.Count)); i++)
            output.Add(new(SubDevices.Phase(subDevice, i), Quantity.ActivePowerW, Combine(first.Phases[i].ActivePowerW, production.Phases[i].ActivePowerW),
                first.Phases[i].Timestamp ?? fallback));
    }

    private static void AddMeteredProduction(GatewaySnapshot s, List<GatewayMeasurement> output)
    {
        if (s.Production is not { } p) return;
        var production = p.Active("production");
        var net = p.Active("net-consumption");
        var total = p.Active("total-consumption");
        if (production is not null) AddEim(output, SubDevices.Production, production, +1, Quantity.EnergyExportedWh, s.ReceivedAt);
        // Quirk (8.3.5433 and others): "total-consumption" repeats net-consumption; the load is then net + production.
        var totalIsNet = total is not null && net is not null && total.PowerW == net.PowerW && total.LifetimeWh == net.LifetimeWh;
        if (total is not null && !totalIsNet)
            AddEim(output, SubDevices.Consumption, total, -1, Quantity.EnergyImportedWh, s.ReceivedAt);
        else if (net is not null && production is not null)
        {
            var at = net.ReadingTime ?? s.ReceivedAt;
            output.Add(new(SubDevices.Consumption, Quantity.ActivePowerW, -(net.PowerW + production.PowerW), at));
            for (var i = 0; i < Math.Min(net.Lines.Count, production.Lines.Count); i++)
                output.Add(new(SubDevices.Phase(SubDevices.Consumption, i), Quantity.ActivePowerW, -(net.Lines[i].PowerW + production.Lines[i].PowerW), at));
        }
        // Net lifetime Wh of production.json is a signed balance, not an import or export register: left out.
        if (net is not null) AddEim(output, SubDevices.Grid, net with { LifetimeWh = null }, -1, null, s.ReceivedAt);
    }

    private static void AddEim(List<GatewayMeasurement> output, string id, EimEntry e, int sign, Quantity? energy, DateTimeOffset fallback)
    {
        var at = e.ReadingTime ?? fallback;
        output.Add(new(id, Quantity.ActivePowerW, sign * e.PowerW, at));
        output.Add(new(id, Quantity.ReactivePowerVar, sign * e.ReactivePowerVar, at));
        output.Add(new(id, Quantity.ApparentPowerVa, e.ApparentPowerVa, at));
        output.Add(new(id, Quantity.PowerFactor, e.PowerFactor, at));
        output.Add(new(id, Quantity.VoltageV, e.VoltageV, at));
        output.Add(new(id, Quantity.CurrentA, e.CurrentA, at));
        if (energy is { } q) output.Add(new(id, q, e.LifetimeWh, at));
        for (var i = 0; i < e.Lines.Count; i++)
            AddEim(output, SubDevices.Phase(id, i), e.Lines[i] with { Lines = [] }, sign, energy, fallback);
    }

    private static void AddInverterTotals(GatewaySnapshot s, List<GatewayMeasurement> output)
    {
        var id = SubDevices.Production;
        if (s.ApiV1Production is { } api && !ApiV1ProductionMayStall(s.Info, s.Meters))
        {
            output.Add(new(id, Quantity.ActivePowerW, api.PowerW, s.ReceivedAt));
            output.Add(new(id, Quantity.EnergyExportedWh, api.LifetimeWh, s.ReceivedAt));
        }
        else if (s.Production?.Inverters is { } inv)
        {
            var at = inv.ReadingTime ?? s.ReceivedAt;
            output.Add(new(id, Quantity.ActivePowerW, inv.PowerW, at));
            output.Add(new(id, Quantity.EnergyExportedWh, inv.LifetimeWh, at));
        }
        else if (s.ProductionPage is { } page)
        {
            output.Add(new(id, Quantity.ActivePowerW, page.PowerW, s.ReceivedAt));
            output.Add(new(id, Quantity.EnergyExportedWh, page.LifetimeWh, s.ReceivedAt));
        }
    }

    private static void AddBatteries(GatewaySnapshot s, List<GatewayMeasurement> output)
    {
        var inventory = (s.Inventory ?? []).DistinctBy(b => b.Serial).ToDictionary(b => b.Serial);
        var powers = (s.EnsemblePower ?? []).DistinctBy(p => p.Serial).ToDictionary(p => p.Serial);
        foreach (var serial in inventory.Keys.Union(powers.Keys))
        {
            inventory.TryGetValue(serial, out var battery);
            powers.TryGetValue(serial, out var power);
            var at = battery?.LastReport ?? s.ReceivedAt;
            var id = SubDevices.Battery(serial);
            output.Add(new(id, Quantity.StateOfChargePct, power?.SocPct ?? battery?.PercentFull, at));
            if (power is not null)
            {
                output.Add(new(id, Quantity.ActivePowerW, power.PowerW, at));
                output.Add(new(id, Quantity.ApparentPowerVa, power.ApparentPowerVa, at));
            }
        }
        if (inventory.Count + powers.Count > 0 || s.SecurityControl?.EnchargeSocPct is > 0)
        {
            var soc = s.SecurityControl?.EnchargeSocPct ?? s.SecurityControl?.AggregateSocPct;
            output.Add(new(SubDevices.Batteries, Quantity.StateOfChargePct, soc, s.ReceivedAt));
            if (powers.Count > 0)
                output.Add(new(SubDevices.Batteries, Quantity.ActivePowerW, powers.Values.All(p => p.PowerW is not null) ? powers.Values.Sum(p => p.PowerW) : null, s.ReceivedAt));
        }
        foreach (var acb in s.Production?.AcBatteries ?? [])
        {
            if (acb.ActiveCount <= 0) continue;
            var at = acb.ReadingTime ?? s.ReceivedAt;
            output.Add(new(SubDevices.AcBatteries, Quantity.ActivePowerW, acb.PowerW, at));
            output.Add(new(SubDevices.AcBatteries, Quantity.StateOfChargePct, acb.PercentFull, at));
        }
    }
}
