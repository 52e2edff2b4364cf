namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>
/// The register maps known by name: the shipped folder, then a user folder whose maps add to or replace shipped ones
/// (like SunSpec models). Every file is checked at load; a bad file fails with all its problems.
/// </summary>
public sealed class RegisterMapCatalog
{
    private readonly Dictionary<string, RegisterMap> _maps;

    private RegisterMapCatalog(Dictionary<string, RegisterMap> maps) => _maps = maps;

    public IReadOnlyCollection<RegisterMap> Maps => _maps.Values;

    public static RegisterMapCatalog Empty { get; } = new(new Dictionary<string, RegisterMap>(StringComparer.OrdinalIgnoreCase));

    public RegisterMap? Find(string name) => _maps.TryGetValue(name, out var map) ? map : null;

    /// <summary>Adds every map of <paramref name="folder"/> (*.json, *.yaml, *.yml); a map's name must match its file name.</summary>
    /// <exception cref="RegisterMapException">A file is malformed or its name does not match.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public RegisterMapCatalog LoadFolder(string folder, IReadOnlyDictionary<string, string> canonicalUnits)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"register map folder '{folder}' does not exist");
        var maps = new Dictionary<string, RegisterMap>(_maps, StringComparer.OrdinalIgnoreCase);
        foreach (var path in Directory.EnumerateFiles(folder).Where(IsMapFile).Order(StringComparer.Ordinal))
        {
            var map = Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase)
                ? RegisterMapParser.Parse(path, File.ReadAllBytes(path), canonicalUnits)
                : RegisterMapParser.ParseYaml(path, File.ReadAllText(path), canonicalUnits);
            var expected = Path.GetFileNameWithoutExtension(path);
            if (!string.Equals(map.Name, expected, StringComparison.OrdinalIgnoreCase))
                throw new RegisterMapException(path, [new MapProblem("$.name", 0, 0, $"name '{map.Name}' must match the file name '{expected}'")]);
            maps[map.Name] = map;
        }
        return new RegisterMapCatalog(maps);
    }

    private static bool IsMapFile(string path) =>
        !Path.GetFileName(path).EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase)
        && Path.GetExtension(path).ToLowerInvariant() is ".json" or ".yaml" or ".yml";
}
