using System.Globalization;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>
/// How many instances of a group a model holds (model JSON <c>group.count</c>): a fixed number (default 1), the name of a
/// count point (e.g. <c>NCrv</c>), or 0, meaning "as many as fit in the model length L".
/// </summary>
public readonly record struct SunSpecGroupCount
{
    private SunSpecGroupCount(int? fixedCount, string? countPoint)
    {
        Fixed = fixedCount;
        CountPoint = countPoint;
    }

    /// <summary>The fixed instance count, or null when it comes from a count point.</summary>
    public int? Fixed { get; }

    /// <summary>The name of the point that holds the instance count, or null.</summary>
    public string? CountPoint { get; }

    /// <summary>True for count 0: as many instances as fit in the remaining model length.</summary>
    public bool FillsLength => Fixed == 0;

    /// <summary>True when the number of instances varies per device (count point or count 0).</summary>
    public bool IsVariable => CountPoint is not null || Fixed == 0;

    /// <summary>A fixed instance count.</summary>
    public static SunSpecGroupCount FromFixed(int count) => new(count, null);

    /// <summary>A count held by a point.</summary>
    public static SunSpecGroupCount FromPoint(string pointName) => new(null, pointName);

    /// <inheritdoc />
    public override string ToString() => CountPoint ?? Fixed!.Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A group of a SunSpec model definition (model JSON schema, <c>definitions.group</c>).</summary>
public sealed class SunSpecGroupDefinition
{
    internal SunSpecGroupDefinition(string name, string? label, bool isSync, SunSpecGroupCount count,
        IReadOnlyList<SunSpecPointDefinition> points, IReadOnlyList<SunSpecGroupDefinition> groups)
    {
        Name = name;
        Label = label;
        IsSync = isSync;
        Count = count;
        Points = points;
        Groups = groups;
        PointsSize = points.Sum(p => p.Size);
        InstanceSize = ComputeInstanceSize();
    }

    /// <summary>Group name (the model's name for the root group).</summary>
    public string Name { get; }

    /// <summary>Short human name, when present.</summary>
    public string? Label { get; }

    /// <summary>True for <c>"type": "sync"</c> groups (written together atomically).</summary>
    public bool IsSync { get; }

    /// <summary>Number of instances.</summary>
    public SunSpecGroupCount Count { get; }

    /// <summary>The group's own points, in register order.</summary>
    public IReadOnlyList<SunSpecPointDefinition> Points { get; }

    /// <summary>Nested groups, laid out after the points, in order.</summary>
    public IReadOnlyList<SunSpecGroupDefinition> Groups { get; }

    /// <summary>Registers of this group's own points (one instance, nested groups excluded).</summary>
    public int PointsSize { get; }

    /// <summary>
    /// Registers of one instance including nested groups, or null when a nested group's count varies
    /// (count point or count 0).
    /// </summary>
    public int? InstanceSize { get; }

    /// <summary>Finds one of this group's own points by name.</summary>
    public SunSpecPointDefinition? FindPoint(string name)
    {
        foreach (var p in Points)
            if (p.Name == name) return p;
        return null;
    }

    private int? ComputeInstanceSize()
    {
        var size = PointsSize;
        foreach (var g in Groups)
        {
            if (g.Count.IsVariable || g.InstanceSize is null) return null;
            size += g.Count.Fixed!.Value * g.InstanceSize.Value;
        }
        return size;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} x{Count}";
}
