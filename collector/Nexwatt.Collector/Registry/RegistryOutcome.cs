namespace Nexwatt.Collector.Registry;

/// <summary>How a registry operation ended; the endpoints map it to an HTTP status.</summary>
public enum RegistryStatus
{
    /// <summary>Done (200).</summary>
    Ok,
    /// <summary>A new asset was registered (201).</summary>
    Created,
    /// <summary>The input is invalid (400).</summary>
    Invalid,
    /// <summary>No such asset (404).</summary>
    NotFound,
    /// <summary>The asset's state forbids it, e.g. a retired asset or a device linked to another asset (409).</summary>
    Conflict,
}

/// <summary>The result of a registry operation: a status, the value when there is one, and the problems.</summary>
public sealed record RegistryOutcome<T>(RegistryStatus Status, T? Value, IReadOnlyList<RegistrationProblem> Problems)
{
    /// <summary>True for <see cref="RegistryStatus.Ok"/> and <see cref="RegistryStatus.Created"/>.</summary>
    public bool Succeeded => Status is RegistryStatus.Ok or RegistryStatus.Created;

    internal static RegistryOutcome<T> Fail(RegistryStatus status, params RegistrationProblem[] problems) => new(status, default, problems);
}
