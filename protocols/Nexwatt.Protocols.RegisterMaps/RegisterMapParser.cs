using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>
/// Reads a register map file and checks it whole: every problem is reported at once, each with the line and column
/// of the value at fault, so a user fixing a map sees all its mistakes in one run. Pure: text in, map or errors out.
/// </summary>
public static class RegisterMapParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // "$schema" names the schema file for editors; it is accepted and ignored.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => { foreach (var p in info.Properties) if (p.Name == "schema") p.Name = "$schema"; } },
        },
    };

    /// <param name="canonicalUnits">The canonical measurements a point may name, with their units (the wire contract's list).</param>
    public static RegisterMap Parse(string fileName, ReadOnlySpan<byte> utf8, IReadOnlyDictionary<string, string> canonicalUnits)
        => Check(fileName, utf8, canonicalUnits, yamlLocations: null);

    public static RegisterMap Parse(string fileName, string text, IReadOnlyDictionary<string, string> canonicalUnits)
        => Parse(fileName, System.Text.Encoding.UTF8.GetBytes(text), canonicalUnits);

    /// <summary>A YAML map: the same format and checks, with problems pointing at the YAML lines.</summary>
    public static RegisterMap ParseYaml(string fileName, string yaml, IReadOnlyDictionary<string, string> canonicalUnits)
    {
        var (json, locations) = YamlMapText.Convert(fileName, yaml);
        return Check(fileName, json, canonicalUnits, locations);
    }

    private static RegisterMap Check(string fileName, ReadOnlySpan<byte> utf8, IReadOnlyDictionary<string, string> canonicalUnits, JsonLocations? yamlLocations)
    {
        MapFile? file;
        try
        {
            file = JsonSerializer.Deserialize<MapFile>(utf8, SerializerOptions);
        }
        catch (JsonException ex)
        {
            var path = ex.Path ?? "$";
            // In YAML the generated JSON's positions mean nothing to the user: point at the YAML value by its path.
            var (line, column) = yamlLocations?.Of(path) ?? ((int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1);
            throw new RegisterMapException(fileName, [new MapProblem(path, line, column, Plain(ex))]);
        }
        if (file is null) throw new RegisterMapException(fileName, [new MapProblem("$", 1, 1, "the file holds no map object")]);
        var locations = yamlLocations ?? JsonLocations.Index(utf8, ReaderOptions);
        return new MapChecker(fileName, locations, canonicalUnits).Check(file);
    }

    private static string Plain(JsonException ex)
    {
        // System.Text.Json appends its own "Path: ... | LineNumber: ..." to messages; we give those separately.
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private sealed class MapChecker(string fileName, JsonLocations locations, IReadOnlyDictionary<string, string> canonicalUnits)
    {
        private readonly List<MapProblem> _problems = [];
        private HashSet<string> _declared = [];

        private void Problem(string path, string message)
        {
            var (line, column) = locations.Of(path);
            _problems.Add(new MapProblem(path, line, column, message));
        }

        public RegisterMap Check(MapFile file)
        {
            if (string.IsNullOrWhiteSpace(file.Name)) Problem("$.name", "name is missing: give the map's name, e.g. \"huawei-sun2000\"");
            if (string.IsNullOrWhiteSpace(file.Source)) Problem("$.source", "source is missing: say where the register facts come from");
            var defaults = CheckDefaults(file.Defaults);
            var limits = CheckLimits(file.Limits);
            var points = new List<RegisterPoint>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            // Names of every point written, valid or not: a reference to a point that has its own problem is not
            // reported a second time as a reference to nothing.
            _declared = file.Points?.Select(p => p.Name).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
            if (file.Points is not { Count: > 0 }) Problem("$.points", "points is missing or empty: a map reads at least one point");
            for (var i = 0; i < (file.Points?.Count ?? 0); i++)
            {
                var at = $"$.points[{i}]";
                var point = CheckPoint(file.Points![i], at, defaults);
                if (point is null) continue;
                if (!names.Add(point.Name)) Problem(at + ".name", $"point name '{point.Name}' is used twice");
                points.Add(point);
            }
            CheckReferences(points, file.Points);
            var identification = CheckIdentification(file.Identification, names);
            var control = file.Control is null ? null : CheckControl(file.Control, points);
            if (_problems.Count > 0) throw new RegisterMapException(fileName, _problems);
            return new RegisterMap(file.Name!, file.Manufacturer ?? "", file.Description ?? "", file.Source!, defaults, limits, points, identification, control);
        }

        private MapDefaults CheckDefaults(DefaultsFile? d)
        {
            var port = d?.Port ?? 502;
            if (port is < 1 or > 65535) Problem("$.defaults.port", $"port {port} is out of range (1-65535)");
            var unit = d?.UnitId ?? 1;
            if (unit is < 0 or > 255) Problem("$.defaults.unitId", $"unitId {unit} is out of range (0-255)");
            return new MapDefaults(port, (byte)Math.Clamp(unit, 0, 255),
                Choice(d?.WordOrder, "$.defaults.wordOrder", WordOrder.HighFirst),
                Choice(d?.ByteOrder, "$.defaults.byteOrder", ByteOrder.BigEndian));
        }

        private MapLimits CheckLimits(LimitsFile? l)
        {
            var max = l?.MaxRegistersPerRead ?? 125;
            if (max is < 1 or > 125) Problem("$.limits.maxRegistersPerRead", $"maxRegistersPerRead {max} is out of range (1-125, the Modbus limit)");
            var gap = l?.MaxGap ?? 0;
            if (gap < 0 || gap >= max) Problem("$.limits.maxGap", $"maxGap {gap} must be 0 or more and below maxRegistersPerRead");
            return new MapLimits(Math.Clamp(max, 1, 125), Math.Max(0, gap));
        }

        private RegisterPoint? CheckPoint(PointFile p, string at, MapDefaults defaults)
        {
            var before = _problems.Count;
            if (string.IsNullOrWhiteSpace(p.Name)) Problem(at + ".name", "name is missing");
            if (p.Address is not { } address) { Problem(at + ".address", "address is missing"); address = 0; }
            else if (address is < 0 or > 65535) Problem(at + ".address", $"address {address} is out of range (0-65535)");
            var kind = Choice(p.Kind, at + ".kind", RegisterKind.Holding);
            PointType type = PointType.UInt16;
            var beforeType = _problems.Count;
            if (p.Type is null) Problem(at + ".type", $"type is missing; one of {Names<PointType>()}");
            else type = Choice(p.Type, at + ".type", PointType.UInt16);
            // With its type unknown, what depends on the type (sentinels, length) is not judged against a guess.
            if (_problems.Count > beforeType) return null;
            if (kind.IsBits() && type != PointType.Bool) Problem(at + ".type", $"a {Lower(kind)} point is a bool, not {p.Type}");
            var length = p.Length ?? 0;
            if (type == PointType.String && length is < 1 or > 125) Problem(at + ".length", "a string needs length: its number of registers (1-125)");
            if (type != PointType.String && p.Length is not null) Problem(at + ".length", "length applies to strings only");
            var count = new RegisterPoint("", 0, kind, type, length, default, default, 1, null, null, [], null, 1, null, null, 0, false).Count;
            if (address + count > 65536) Problem(at + ".address", $"the point runs past register 65535 ({count} registers from {address})");
            var scale = p.Scale ?? 1;
            if (scale == 0 || double.IsNaN(scale) || double.IsInfinity(scale)) Problem(at + ".scale", "scale must be a finite number other than 0");
            if ((p.Scale is not null || p.ScaleRegister is not null) && type is PointType.String or PointType.Bool)
                Problem(at + ".scale", "strings and bools take no scale");
            var sign = p.Sign ?? 1;
            if (sign is not (1 or -1)) Problem(at + ".sign", $"sign {sign} must be 1 (device positive = export/discharge) or -1 (device positive = import/charge)");
            if (p.Canonical is { } canonical && !canonicalUnits.ContainsKey(canonical))
                Problem(at + ".canonical", $"'{canonical}' is not a canonical measurement; known: {string.Join(", ", canonicalUnits.Keys)}");
            else if (p.Canonical is not null && type is PointType.String or PointType.Bool)
                Problem(at + ".canonical", "a canonical measurement is a number, not a string or bool");
            ushort mask = 0;
            if (p.BitMask is { } m)
            {
                if (type != PointType.Bool || kind.IsBits()) Problem(at + ".bitMask", "bitMask applies to bool points in holding or input registers");
                else if (!TryUInt(m, out var value) || value is 0 or > 0xFFFF) Problem(at + ".bitMask", "bitMask must be a 16-bit mask other than 0, e.g. \"0x0004\"");
                else mask = (ushort)value;
            }
            else if (type == PointType.Bool && !kind.IsBits()) Problem(at + ".bitMask", "a bool in a register needs bitMask, e.g. \"0x0001\"");
            if (p.UnitId is < 0 or > 255) Problem(at + ".unitId", $"unitId {p.UnitId} is out of range (0-255)");
            var notAvailable = new List<NotAvailableValue>();
            for (var i = 0; i < (p.NotAvailable?.Count ?? 0); i++)
                if (NotAvailableOf(p.NotAvailable![i], type, count) is { } value) notAvailable.Add(value);
                else Problem($"{at}.notAvailable[{i}]", $"'{p.NotAvailable[i]}' is not a raw value of a {Lower(type)} (e.g. \"0x7FFF\", -1 or \"NaN\" for floats)");
            if (_problems.Count > before) return null;
            return new RegisterPoint(p.Name!, (ushort)address, kind, type, length,
                Choice(p.WordOrder, at + ".wordOrder", defaults.WordOrder), Choice(p.ByteOrder, at + ".byteOrder", defaults.ByteOrder),
                scale, p.ScaleRegister, p.Unit ?? (p.Canonical is { } c ? canonicalUnits[c] : null), notAvailable, p.Canonical, sign,
                p.SubDevice, p.UnitId is { } u ? (byte)u : null, mask, p.Writable ?? false);
        }

        private void CheckReferences(List<RegisterPoint> points, List<PointFile>? files)
        {
            for (var i = 0; i < points.Count; i++)
            {
                if (points[i].ScaleRegister is not { } name) continue;
                var at = $"$.points[{files!.FindIndex(f => f.Name == points[i].Name)}].scaleRegister";
                var target = points.FirstOrDefault(p => p.Name == name);
                if (target is null) { if (!_declared.Contains(name)) Problem(at, $"scaleRegister '{name}' names no point of this map"); }
                else if (target.Type != PointType.Int16) Problem(at, $"scaleRegister '{name}' must be an int16 (a power-of-ten exponent), not {Lower(target.Type)}");
            }
        }

        private List<IdentificationRule> CheckIdentification(List<IdentificationFile>? rules, HashSet<string> names)
        {
            var result = new List<IdentificationRule>();
            for (var i = 0; i < (rules?.Count ?? 0); i++)
            {
                var r = rules![i];
                var at = $"$.identification[{i}]";
                if (r.Point is null || !names.Contains(r.Point))
                {
                    if (r.Point is null || !_declared.Contains(r.Point)) Problem(at + ".point", $"point '{r.Point}' names no point of this map");
                    continue;
                }
                if (r.EqualTo is null && r.StartsWith is null && r.Minimum is null && r.Maximum is null && r.NonEmpty != true)
                    Problem(at, "a rule needs equals, startsWith, minimum/maximum or nonEmpty");
                result.Add(new IdentificationRule(r.Point, r.EqualTo, r.StartsWith, r.Minimum, r.Maximum, r.NonEmpty ?? false));
            }
            return result;
        }

        private MapControl? CheckControl(ControlFile c, List<RegisterPoint> points)
        {
            var before = _problems.Count;
            string Required(string? name, string key)
            {
                if (name is null) Problem("$.control." + key, $"{key} is missing");
                else if (!_declared.Contains(name)) Problem("$.control." + key, $"{key} '{name}' names no point of this map");
                return name ?? "";
            }
            if (c.RatingW is null && c.RatingPoint is null) Problem("$.control", "control needs ratingW (W) or ratingPoint");
            if (c.RatingW is <= 0) Problem("$.control.ratingW", "ratingW must be above 0");
            if (c.RatingPoint is not null) Required(c.RatingPoint, "ratingPoint");
            var soc = Required(c.StateOfChargePoint, "stateOfChargePoint");
            var measured = Required(c.MeasuredPowerPoint, "measuredPowerPoint");
            if (c.ReservePoint is not null) Required(c.ReservePoint, "reservePoint");
            if (string.IsNullOrWhiteSpace(c.Revert)) Problem("$.control.revert", "revert is missing: say how the device reverts on its own (its timer) or that it does not");
            if (c.ReassertSeconds is { } reassert && (!double.IsFinite(reassert) || reassert < 1 || reassert > 3600))
                Problem("$.control.reassertSeconds", $"reassertSeconds must be 1..3600 (got {reassert})");
            var charge = Writes(c.Charge, "charge", points);
            var discharge = Writes(c.Discharge, "discharge", points);
            var stop = Writes(c.Stop, "stop", points);
            if (_problems.Count > before) return null;
            return new MapControl(new ControlQuantity(c.RatingW, c.RatingPoint), soc, c.ReservePoint, measured, charge, discharge, stop, c.Revert!)
            {
                ReassertWithin = c.ReassertSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            };
        }

        private List<ControlWrite> Writes(List<WriteFile>? writes, string key, List<RegisterPoint> points)
        {
            var result = new List<ControlWrite>();
            if (writes is not { Count: > 0 }) { Problem("$.control." + key, $"{key} is missing: list the writes that {key} the battery"); return result; }
            for (var i = 0; i < writes.Count; i++)
            {
                var at = $"$.control.{key}[{i}]";
                var point = points.FirstOrDefault(p => p.Name == writes[i].Point);
                if (point is null)
                {
                    if (writes[i].Point is not { } name || !_declared.Contains(name)) Problem(at + ".point", $"point '{writes[i].Point}' names no point of this map");
                    continue;
                }
                if (!point.Writable) Problem(at + ".point", $"point '{point.Name}' is not marked writable");
                if (point.Kind is RegisterKind.Input or RegisterKind.Discrete) Problem(at + ".point", $"point '{point.Name}' is a read-only {Lower(point.Kind)}");
                if (writes[i].Value is not { } value) { Problem(at + ".value", "value is missing"); continue; }
                if (value.ValueKind == JsonValueKind.Number) result.Add(new ControlWrite(point.Name, ControlValue.Constant, value.GetDouble()));
                else if (value.ValueKind == JsonValueKind.String && Enum.TryParse<ControlValue>(value.GetString(), true, out var expression) && expression != ControlValue.Constant)
                    result.Add(new ControlWrite(point.Name, expression, 0));
                else Problem(at + ".value", $"value '{value}' must be a number or one of powerWatts, signedPowerWatts, powerPercentOfRating, negatedPowerPercentOfRating, revertSeconds, revertMinutes");
            }
            return result;
        }

        private T Choice<T>(string? text, string path, T fallback) where T : struct, Enum
        {
            if (text is null) return fallback;
            if (Enum.TryParse<T>(text, true, out var value) && !int.TryParse(text, out _)) return value;
            Problem(path, $"'{text}' is not one of {Names<T>()}");
            return fallback;
        }

        private static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(Lower));

        private static string Lower<T>(T value) where T : notnull => Lower(value.ToString()!);

        private static string Lower(string name) => name.StartsWith("UInt", StringComparison.Ordinal) ? "uint" + name[4..] : char.ToLowerInvariant(name[0]) + name[1..];
    }

    internal static bool TryUInt(JsonElement element, out ulong value)
    {
        value = 0;
        if (element.ValueKind == JsonValueKind.Number) return element.TryGetUInt64(out value);
        if (element.ValueKind != JsonValueKind.String) return false;
        var text = element.GetString()!.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A sentinel as raw bits of the point's width: hex as written, a negative decimal in two's complement.</summary>
    private static NotAvailableValue? NotAvailableOf(JsonElement element, PointType type, int registers)
    {
        var bits = registers * 16;
        var mask = bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
        if (element.ValueKind == JsonValueKind.String && string.Equals(element.GetString(), "NaN", StringComparison.OrdinalIgnoreCase))
            return type is PointType.Float32 or PointType.Float64 ? NotAvailableValue.NaN : null;
        if (TryUInt(element, out var raw)) return raw <= mask ? new NotAvailableValue(raw, false) : null;
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var signed) && signed < 0)
        {
            var min = bits >= 64 ? long.MinValue : -(1L << (bits - 1));
            return signed >= min ? new NotAvailableValue((ulong)signed & mask, false) : null;
        }
        return null;
    }
}
