using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexwatt.Collector.Registry;

/// <summary>The registry API's JSON: snake_case names, nulls written, unknown request fields rejected.</summary>
public static class RegistryJson
{
    /// <summary>The largest request body read (a registration is a few hundred bytes).</summary>
    public const int MaximumBodyBytes = 64 * 1024;

    /// <summary>Serializer options of every registry request and response.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A misspelt field ("capacty_kw") would otherwise vanish silently and read as missing.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        // {"capacity_kw": 5, "capacity_kw": 5000} would otherwise keep the last value silently.
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Reads a request body; on malformed JSON, a body that is not an object, or one that is too large, returns
    /// null and a problem saying where it went wrong, so the caller answers 400 instead of failing with 500.
    /// </summary>
    public static async Task<(T? Value, RegistrationProblem? Problem)> ReadAsync<T>(Stream body, CancellationToken cancellationToken) where T : class
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaximumBodyBytes) return (null, new RegistrationProblem(RegistrationProblem.Error, "body_too_large", null, $"The body is larger than {MaximumBodyBytes} bytes."));
            buffer.Write(chunk, 0, read);
        }
        return Parse<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Parses a complete body; see <see cref="ReadAsync{T}"/>.</summary>
    public static (T? Value, RegistrationProblem? Problem) Parse<T>(ReadOnlySpan<byte> utf8) where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(utf8, Options);
            return value is null ? (null, Malformed("The body must be a JSON object, not null.")) : (value, null);
        }
        catch (JsonException e)
        {
            // JsonException's message names the path and position; it holds no server internals.
            return (null, Malformed($"The body is not valid JSON for this request: {e.Message}"));
        }
    }

    private static RegistrationProblem Malformed(string message) => new(RegistrationProblem.Error, "malformed_json", null, message);
}
