using System.Globalization;
using System.Reflection;

namespace Nexwatt.Configuration;

/// <summary>What <see cref="ConfigurationCheck"/> found: one line per problem, and the duration values rewritten for the binder.</summary>
/// <param name="Errors">Values that would not bind, each naming its key and the form expected.</param>
/// <param name="Warnings">Keys no options class knows (a typo is ignored by the binder), with the closest known key.</param>
/// <param name="Normalized">Durations given as "5s" rewritten as "00:00:05", to be layered over the configuration before binding.</param>
public sealed record ConfigurationReport(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, string?> Normalized);

/// <summary>
/// Walks configuration keys and values against the options classes they will be bound to, before binding. The
/// configuration binder throws for a bad value in a plain property, but inside a list or dictionary it catches the
/// conversion failure and skips the whole element (a device with Port "15o2" simply disappears), and it ignores keys
/// that match no property. This check turns both into messages that name the key, and accepts "5s"-style durations
/// wherever a TimeSpan is configured (the binder's TimeSpan converter reads "5" as five days and "5s" not at all).
/// </summary>
public sealed class ConfigurationCheck
{
    private readonly Dictionary<string, Type> _sections;

    /// <param name="sections">Each configuration section (e.g. "Agent", "Collector:Storage") and the options class bound to it.</param>
    public ConfigurationCheck(IReadOnlyDictionary<string, Type> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        _sections = new Dictionary<string, Type>(sections, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The top-level section names checked (e.g. "Agent"), for telling a typo'd top-level section from a real one.</summary>
    public IReadOnlyCollection<string> TopLevelSections => [.. _sections.Keys.Select(s => s.Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Checks every key under a registered section; keys elsewhere (Logging, ...) are left alone.</summary>
    public ConfigurationReport Check(IEnumerable<KeyValuePair<string, string?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var errors = new List<string>();
        var warnings = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var normalized = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (LogLevels.Problem(key, value) is { } logLevel) errors.Add(logLevel);
            if (SectionOf(key) is not { } section) continue;
            var segments = key.Length == section.Length ? [] : key[(section.Length + 1)..].Split(':');
            Walk(section, _sections[section], segments, key, value, errors, warnings, normalized);
        }
        return new ConfigurationReport(errors, [.. warnings.Values], normalized);
    }

    /// <summary>The longest registered section that holds <paramref name="key"/>.</summary>
    private string? SectionOf(string key) => _sections.Keys
        .Where(s => key.Equals(s, StringComparison.OrdinalIgnoreCase) || key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase))
        .MaxBy(s => s.Length);

    private void Walk(string section, Type type, string[] segments, string key, string? value,
        List<string> errors, SortedDictionary<string, string> warnings, Dictionary<string, string?> normalized)
    {
        var path = section;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (IsScalar(type))
            {
                // A value where a plain setting was expected to end: "Port:Number" means nothing to the binder.
                Unknown(path + ":" + segment, [], warnings);
                return;
            }
            if (ElementType(type) is { } element)
            {
                path += ":" + segment;
                type = element;
                continue;
            }
            var property = Properties(type).FirstOrDefault(p => p.Name.Equals(segment, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var known = Properties(type).Select(p => p.Name);
                // The root of a section also holds the sections bound to their own classes (Collector:Storage).
                if (i == 0) known = known.Concat(ChildSections(section));
                Unknown(path + ":" + segment, known, warnings);
                return;
            }
            path += ":" + property.Name;
            type = property.PropertyType;
        }

        if (value is null) return;
        if (!IsScalar(type))
        {
            if (value.Length > 0)
                errors.Add($"{key} holds the value '{Shown(key, value)}', but it is a section of settings, not a single value.");
            return;
        }
        if (!TryConvert(type, value, out var duration))
            errors.Add(IsDuration(type) && Duration.LacksUnit(value)
                ? $"{key} '{value}' has no unit; write e.g. '{value.Trim()}s' or '{value.Trim()}ms' (a bare number would be read as days)."
                : $"{key} '{Shown(key, value)}' is not {ExpectedForm(type)}.");
        else if (duration is { } d)
            normalized[key] = d.ToString("c", CultureInfo.InvariantCulture);
    }

    private IEnumerable<string> ChildSections(string section) => _sections.Keys
        .Where(s => s.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
        .Select(s => s[(section.Length + 1)..].Split(':')[0]);

    private static void Unknown(string path, IEnumerable<string> known, SortedDictionary<string, string> warnings)
    {
        if (warnings.ContainsKey(path)) return;
        var typed = path[(path.LastIndexOf(':') + 1)..];
        var parent = path[..path.LastIndexOf(':')];
        var names = known.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var closest = ClosestName.Find(typed, names);
        warnings[path] = closest is not null
            ? $"{path} is not a known setting; it is ignored (did you mean {parent}:{closest}?)."
            : names.Count > 0
                ? $"{path} is not a known setting; it is ignored (known under {parent}: {string.Join(", ", names)})."
                : $"{path} is not a known setting; it is ignored ({parent} takes a single value).";
    }

    // Secrets never reach an error message, even mistyped ones.
    private static string Shown(string key, string value)
    {
        var name = key[(key.LastIndexOf(':') + 1)..];
        return name.Contains("Password", StringComparison.OrdinalIgnoreCase) || name.Contains("Token", StringComparison.OrdinalIgnoreCase)
            || name.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) ? "(hidden)" : value;
    }

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null
            // The binder fills a read-only property only when it holds an object it can bind into.
            && (p.CanWrite || !IsScalar(p.PropertyType) && !p.PropertyType.IsInterface));

    /// <summary>The element of a list, array or set, or the value of a dictionary; null for anything else.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null) return dictionary.GetGenericArguments()[1];
        var enumerable = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri)
            || type.IsValueType;
    }

    /// <summary>True when the binder will take <paramref name="text"/>; <paramref name="duration"/> is set for a TimeSpan.</summary>
    internal static bool TryConvert(Type type, string text, out TimeSpan? duration)
    {
        duration = null;
        var underlying = Nullable.GetUnderlyingType(type);
        // The binder sets a nullable setting to null for an empty value; anything else must convert.
        if (underlying is not null && text.Length == 0) return true;
        type = underlying ?? type;
        var invariant = CultureInfo.InvariantCulture;
        const NumberStyles whole = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign;
        const NumberStyles real = NumberStyles.Float | NumberStyles.AllowThousands;
        if (type == typeof(string)) return true;
        if (type == typeof(TimeSpan))
        {
            if (!Duration.TryParse(text, out var value)) return false;
            duration = value;
            return true;
        }
        if (type == typeof(bool)) return bool.TryParse(text, out _);
        if (type == typeof(int)) return int.TryParse(text, whole, invariant, out _);
        if (type == typeof(long)) return long.TryParse(text, whole, invariant, out _);
        if (type == typeof(short)) return short.TryParse(text, whole, invariant, out _);
        if (type == typeof(byte)) return byte.TryParse(text, whole, invariant, out _);
        if (type == typeof(ushort)) return ushort.TryParse(text, whole, invariant, out _);
        if (type == typeof(uint)) return uint.TryParse(text, whole, invariant, out _);
        if (type == typeof(ulong)) return ulong.TryParse(text, whole, invariant, out _);
        if (type == typeof(double)) return double.TryParse(text, real, invariant, out _);
        if (type == typeof(float)) return float.TryParse(text, real, invariant, out _);
        if (type == typeof(decimal)) return decimal.TryParse(text, real, invariant, out _);
        if (type.IsEnum) return Enum.TryParse(type, text, ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed!);
        if (type == typeof(DateTimeOffset)) return DateTimeOffset.TryParse(text, invariant, DateTimeStyles.None, out _);
        if (type == typeof(DateTime)) return DateTime.TryParse(text, invariant, DateTimeStyles.None, out _);
        if (type == typeof(Guid)) return Guid.TryParse(text, out _);
        if (type == typeof(Uri)) return Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out _);
        return true;
    }

    private static bool IsDuration(Type type) => (Nullable.GetUnderlyingType(type) ?? type) == typeof(TimeSpan);

    private static string ExpectedForm(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(TimeSpan)) return Duration.ExpectedForm;
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
            || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong))
            return "a whole number";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number such as 12 or 0.5";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))}";
        return $"a valid {type.Name}";
    }
}
