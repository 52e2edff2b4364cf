using Microsoft.Extensions.Options;

namespace Nexwatt.Collector.Identity;

/// <summary>
/// Management tokens at start: a hash that is not 64 hex digits can never match a token, and an empty token is not
/// one; either would leave an operator locked out (or think a token works) without a word.
/// </summary>
internal sealed class ManagementOptionsValidator : IValidateOptions<ManagementOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagementOptions options)
    {
        var problems = new List<string>();
        const string key = ManagementOptions.SectionName;
        for (var i = 0; i < options.TokenSha256.Count; i++)
        {
            var hash = options.TokenSha256[i].Trim();
            // The hash is not a secret, but show only its length: a token pasted here by mistake is one.
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
                problems.Add($"{key}:TokenSha256:{i} is not a SHA-256 in hex (64 characters 0-9a-f; this one has {hash.Length}); e.g. `printf %s TOKEN | sha256sum`.");
        }
        for (var i = 0; i < options.Tokens.Count; i++)
            if (string.IsNullOrWhiteSpace(options.Tokens[i]))
                problems.Add($"{key}:Tokens:{i} is empty.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
