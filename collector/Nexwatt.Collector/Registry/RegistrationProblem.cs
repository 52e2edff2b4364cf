namespace Nexwatt.Collector.Registry;

/// <summary>One problem with an asset: invalid input, or a compliance gap against its ISO zone's rules.</summary>
/// <param name="Severity"><c>error</c> (invalid input or a failing rule) or <c>warning</c> (reported only).</param>
/// <param name="Code">A stable code: <c>invalid_*</c> for input, or the rule id (e.g. <c>CAISO-SOC-4S</c>).</param>
/// <param name="Field">The request field concerned (snake_case), if one.</param>
/// <param name="Message">What is wrong and what the rule asks, in one sentence or two.</param>
/// <param name="Source">The rule's source tag (e.g. <c>[C1]</c>, <c>NV</c>) for compliance problems.</param>
/// <param name="Url">Where the source can be read.</param>
public sealed record RegistrationProblem(string Severity, string Code, string? Field, string Message, string? Source = null, string? Url = null)
{
    /// <summary>The severity of a problem that rejects input or breaks compliance.</summary>
    public const string Error = "error";

    /// <summary>The severity of a problem reported for attention only.</summary>
    public const string Warning = "warning";

    /// <summary>An input error on <paramref name="field"/>.</summary>
    public static RegistrationProblem Invalid(string field, string message) => new(Error, "invalid_" + field, field, message);

    /// <summary>True for an error.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsError => Severity == Error;
}
