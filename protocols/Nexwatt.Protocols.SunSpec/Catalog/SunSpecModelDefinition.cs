namespace Nexwatt.Protocols.SunSpec;

/// <summary>One SunSpec information model definition (a <c>model_&lt;id&gt;.json</c> file).</summary>
public sealed class SunSpecModelDefinition
{
    internal SunSpecModelDefinition(ushort id, SunSpecGroupDefinition group, string sourceName)
    {
        Id = id;
        Group = group;
        SourceName = sourceName;
        FixedLength = ComputeFixedLength(group) - 2;
    }

    /// <summary>Model id (the value of the <c>ID</c> point).</summary>
    public ushort Id { get; }

    /// <summary>Model name (the root group's name, e.g. <c>common</c>, <c>DERMeasureAC</c>).</summary>
    public string Name => Group.Name;

    /// <summary>Short human name (the root group's label), when present.</summary>
    public string? Label => Group.Label;

    /// <summary>The root group, whose first two points are <c>ID</c> and <c>L</c>.</summary>
    public SunSpecGroupDefinition Group { get; }

    /// <summary>
    /// Registers after <c>ID</c> and <c>L</c> in the fixed part: root points plus fixed-count groups, without
    /// variable repeating groups. Equals <c>L</c> for models without repeating groups.
    /// </summary>
    public int FixedLength { get; }

    /// <summary>Where the definition came from (file or resource name).</summary>
    public string SourceName { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Name}";

    private static int ComputeFixedLength(SunSpecGroupDefinition group)
    {
        var size = group.PointsSize;
        foreach (var g in group.Groups)
            if (!g.Count.IsVariable)
                size += g.Count.Fixed!.Value * ComputeFixedLength(g);
        return size;
    }
}
