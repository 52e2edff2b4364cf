namespace Nexwatt.Protocols.RegisterMaps.Tests;

internal static class TestMaps
{
    // The canonical list as the wire contract gives it; the library itself never depends on protos.
    public static readonly IReadOnlyDictionary<string, string> Units = new Dictionary<string, string>
    {
        ["ActivePowerW"] = "W", ["StateOfChargePct"] = "Pct", ["EnergyExportedWh"] = "Wh", ["FrequencyHz"] = "Hz",
    };

    public const string Battery = """
        {
          "name": "test-battery",
          "source": "written for the tests",
          "limits": { "maxRegistersPerRead": 10, "maxGap": 2 },
          "points": [
            { "name": "model", "address": 0, "type": "string", "length": 4 },
            { "name": "power", "address": 10, "type": "int32", "unit": "W", "canonical": "ActivePowerW", "sign": -1, "notAvailable": ["0x7FFFFFFF"] },
            { "name": "soc", "address": 12, "type": "uint16", "scale": 0.1, "canonical": "StateOfChargePct", "notAvailable": [65535] },
            { "name": "sf", "address": 13, "type": "int16" },
            { "name": "energy", "address": 14, "type": "uint32", "scaleRegister": "sf", "canonical": "EnergyExportedWh" },
            { "name": "command", "address": 30, "type": "uint16", "writable": true },
            { "name": "setpoint", "address": 31, "type": "uint32", "writable": true }
          ],
          "identification": [ { "point": "model", "startsWith": "BAT" } ],
          "control": {
            "ratingW": 5000, "stateOfChargePoint": "soc", "measuredPowerPoint": "power",
            "charge": [ { "point": "setpoint", "value": "powerWatts" }, { "point": "command", "value": 1 } ],
            "discharge": [ { "point": "setpoint", "value": "powerWatts" }, { "point": "command", "value": 2 } ],
            "stop": [ { "point": "command", "value": 0 } ],
            "revert": "none on the device"
          }
        }
        """;

    public static RegisterMap Parse(string text = Battery) => RegisterMapParser.Parse("test.json", text, Units);
}
