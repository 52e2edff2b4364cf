using System.Diagnostics.CodeAnalysis;
using Nexwatt.Protocols.SunSpec.Internal;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>
/// An immutable set of SunSpec model definitions keyed by model id. <see cref="LoadBuiltIn"/> gives the definitions
/// shipped with this library; <see cref="LoadFolder"/> adds or overrides definitions from official model JSON files.
/// </summary>
public sealed class SunSpecModelCatalog
{
    private const string ResourcePrefix = "sunspec-model-";
    private static readonly Lazy<SunSpecModelCatalog> BuiltIn = new(LoadBuiltInCore);
    private readonly Dictionary<ushort, SunSpecModelDefinition> _models;

    private SunSpecModelCatalog(Dictionary<ushort, SunSpecModelDefinition> models) => _models = models;

    /// <summary>Every definition, ordered by model id.</summary>
    public IReadOnlyCollection<SunSpecModelDefinition> Models => _models.Values.OrderBy(m => m.Id).ToArray();

    /// <summary>An empty catalog (e.g. to load only a folder).</summary>
    public static SunSpecModelCatalog Empty { get; } = new(new Dictionary<ushort, SunSpecModelDefinition>());

    /// <summary>The definitions embedded in this library (models 1, 101–103, 111–113, 120–124, 126, 160, 701–715, 802–805).</summary>
    public static SunSpecModelCatalog LoadBuiltIn() => BuiltIn.Value;

    /// <summary>Parses one model definition in the official SunSpec model JSON schema.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">File or resource name used in error messages.</param>
    /// <exception cref="SunSpecDefinitionException">The JSON is malformed or inconsistent.</exception>
    public static SunSpecModelDefinition Parse(string json, string sourceName) => ModelJsonParser.Parse(json, sourceName);

    /// <summary>
    /// Returns a new catalog holding this catalog's definitions plus every <c>model_*.json</c> file of
    /// <paramref name="folder"/>; a file's definition replaces one with the same id.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="SunSpecDefinitionException">A file is malformed; the message names the file and the problem.</exception>
    public SunSpecModelCatalog LoadFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"SunSpec model folder '{Path.GetFullPath(folder)}' does not exist.");
        var models = new Dictionary<ushort, SunSpecModelDefinition>(_models);
        var loaded = new Dictionary<ushort, string>();
        foreach (var file in Directory.EnumerateFiles(folder, "model_*.json").Order(StringComparer.Ordinal))
        {
            string json;
            try
            {
                json = File.ReadAllText(file);
            }
            catch (IOException ex)
            {
                throw new SunSpecDefinitionException(file, $"cannot be read ({ex.Message})", ex);
            }
            var model = Parse(json, file);
            if (loaded.TryGetValue(model.Id, out var other))
                throw new SunSpecDefinitionException(file, $"model {model.Id} is also defined by '{other}'");
            loaded[model.Id] = file;
            models[model.Id] = model;
        }
        return new SunSpecModelCatalog(models);
    }

    /// <summary>Finds the definition of a model id.</summary>
    public bool TryGet(ushort modelId, [NotNullWhen(true)] out SunSpecModelDefinition? model) => _models.TryGetValue(modelId, out model);

    /// <summary>The definition of a model id.</summary>
    /// <exception cref="KeyNotFoundException">The catalog has no such model.</exception>
    public SunSpecModelDefinition Get(ushort id) => _models.TryGetValue(id, out var model)
        ? model
        : throw new KeyNotFoundException($"SunSpec model {id} is not in the catalog.");

    private static SunSpecModelCatalog LoadBuiltInCore()
    {
        var assembly = typeof(SunSpecModelCatalog).Assembly;
        var models = new Dictionary<ushort, SunSpecModelDefinition>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var model = Parse(reader.ReadToEnd(), name);
            models[model.Id] = model;
        }
        return new SunSpecModelCatalog(models);
    }
}
