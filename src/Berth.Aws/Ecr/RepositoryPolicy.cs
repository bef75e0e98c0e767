using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Ecr;

/// <summary>
/// A repository policy (IAM policy grammar: <c>Statement</c>s of <c>Effect</c>, <c>Principal</c>, <c>Action</c>) and its
/// decision for callers of the repository's own account: an account's principals are allowed by their identity, so
/// what the policy can do to them is deny, and a matching <c>Deny</c> statement does. Statements with a
/// <c>Condition</c> are kept but not evaluated, so they never apply.
/// </summary>
public static class RepositoryPolicy
{
    /// <summary>Checks that <paramref name="text"/> is a policy ECR would store; throws its InvalidParameterException otherwise.</summary>
    public static void Validate(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var statements = Statements(document.RootElement).ToList();
            if (statements.Count == 0)
            {
                throw Invalid();
            }
            foreach (var statement in statements)
            {
                if (statement.ValueKind != JsonValueKind.Object
                    || !statement.TryGetProperty("Effect", out var effect) || effect.GetString() is not ("Allow" or "Deny")
                    || !(statement.TryGetProperty("Action", out _) || statement.TryGetProperty("NotAction", out _))
                    || !(statement.TryGetProperty("Principal", out _) || statement.TryGetProperty("NotPrincipal", out _)))
                {
                    throw Invalid();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Invalid();
        }
    }

    /// <summary>Whether the policy denies <paramref name="callerArn"/> of <paramref name="accountId"/> any of <paramref name="actions"/>.</summary>
    public static bool Denies(string? text, string callerArn, string accountId, params string[] actions)
    {
        if (text is null)
        {
            return false;
        }
        using var document = JsonDocument.Parse(text);
        foreach (var statement in Statements(document.RootElement))
        {
            if (statement.GetProperty("Effect").GetString() != "Deny" || statement.TryGetProperty("Condition", out _))
            {
                continue;
            }
            var principalMatches = statement.TryGetProperty("Principal", out var principal)
                ? PrincipalMatches(principal, callerArn, accountId)
                : !PrincipalMatches(statement.GetProperty("NotPrincipal"), callerArn, accountId);
            var actionMatches = statement.TryGetProperty("Action", out var action)
                ? actions.Any(a => Values(action).Any(pattern => Glob(pattern, a)))
                : actions.Any(a => !Values(statement.GetProperty("NotAction")).Any(pattern => Glob(pattern, a)));
            if (principalMatches && actionMatches)
            {
                return true;
            }
        }
        return false;
    }

    private static List<JsonElement> Statements(JsonElement policy)
    {
        if (policy.ValueKind != JsonValueKind.Object || !policy.TryGetProperty("Statement", out var statement))
        {
            throw Invalid();
        }
        return statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
    }

    /// <summary><c>"*"</c>, <c>{"AWS": …}</c> naming the caller's ARN, its account's root or id, or everyone.</summary>
    private static bool PrincipalMatches(JsonElement principal, string callerArn, string accountId)
    {
        if (principal.ValueKind == JsonValueKind.String)
        {
            return principal.GetString() == "*";
        }
        if (principal.ValueKind != JsonValueKind.Object || !principal.TryGetProperty("AWS", out var aws))
        {
            return false;
        }
        return Values(aws).Any(p => p == "*" || p == callerArn || p == accountId || p == $"arn:aws:iam::{accountId}:root");
    }

    private static IEnumerable<string> Values(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Select(e => e.GetString() ?? "") : [element.GetString() ?? ""];

    /// <summary>IAM action matching: case-insensitive, <c>*</c> for any run of characters and <c>?</c> for one.</summary>
    private static bool Glob(string pattern, string action) =>
        Regex.IsMatch(action, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    private static AwsException Invalid() =>
        new("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
}
