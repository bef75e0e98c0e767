using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.Aws.Iam;

/// <summary>What a policy says about a request: nothing, allow, or deny (which wins over any allow).</summary>
public enum PolicyEffect
{
    None,
    Allow,
    Deny,
}

/// <summary>
/// An IAM policy document: <c>Statement</c>s of <c>Effect</c>, <c>Action</c>/<c>NotAction</c>,
/// <c>Resource</c>/<c>NotResource</c> and, in resource policies, <c>Principal</c>/<c>NotPrincipal</c>, matched with
/// IAM's wildcards (<c>*</c>, <c>?</c>; actions case-insensitively). <c>Condition</c> blocks are evaluated with the
/// string operators (<c>StringEquals</c>, <c>StringNotEquals</c>, <c>StringEqualsIgnoreCase</c>, <c>StringLike</c>,
/// <c>StringNotLike</c>) over the keys the request gives (a web identity's <c>&lt;issuer&gt;:sub</c> and
/// <c>:aud</c>); a condition on a key the request does not give, or with another operator, is not met, so its statement
/// neither grants nor denies.
/// </summary>
public sealed class PolicyDocument
{
    private readonly List<Statement> _statements;

    private PolicyDocument(List<Statement> statements)
    {
        _statements = statements;
    }

    private sealed record Statement(bool Allow, Matcher Actions, Matcher Resources, Matcher? Principals, IReadOnlyList<Condition> Conditions);

    /// <summary>One operator over one key, met when any of its values matches (a <c>Not</c> operator: when none does).</summary>
    private sealed record Condition(string Operator, string Key, IReadOnlyList<string> Values)
    {
        public bool IsMet(IReadOnlyDictionary<string, string>? context)
        {
            var given = context?.FirstOrDefault(c => string.Equals(c.Key, Key, StringComparison.OrdinalIgnoreCase)).Value;
            if (given is null)
            {
                return false;
            }
            return Operator switch
            {
                "StringEquals" => Values.Contains(given, StringComparer.Ordinal),
                "StringNotEquals" => !Values.Contains(given, StringComparer.Ordinal),
                "StringEqualsIgnoreCase" => Values.Contains(given, StringComparer.OrdinalIgnoreCase),
                "StringLike" => Values.Any(v => Glob(v, given, ignoreCase: false)),
                "StringNotLike" => !Values.Any(v => Glob(v, given, ignoreCase: false)),
                _ => false,
            };
        }
    }

    /// <summary>How a pattern of a statement is compared with a value.</summary>
    private enum Comparison
    {
        /// <summary>IAM's wildcards, case-sensitive (resources).</summary>
        Wildcards,

        /// <summary>IAM's wildcards, case-insensitive (actions).</summary>
        WildcardsIgnoringCase,

        /// <summary>Exactly, except that <c>*</c> alone is everyone (principals).</summary>
        Exact,
    }

    /// <summary>A list of patterns, or its complement (the <c>Not…</c> form); null patterns match anything (member absent).</summary>
    private sealed record Matcher(IReadOnlyList<string>? Patterns, bool Negated, Comparison Comparison)
    {
        public bool Matches(IEnumerable<string> values)
        {
            if (Patterns is null)
            {
                return true;
            }
            var any = values.Any(v => Patterns.Any(p => p == "*" || Comparison switch
            {
                Comparison.Exact => p == v,
                _ => Glob(p, v, Comparison == Comparison.WildcardsIgnoringCase),
            }));
            return Negated ? !any : any;
        }
    }

    /// <summary>Policies already read, by kind and text: every request of a user reads its policies again.</summary>
    private static readonly ConcurrentDictionary<(string Text, bool ResourcePolicy), PolicyDocument> s_read = new();

    private const int MaxRead = 4096;

    /// <summary>A policy stored earlier, so known to be well formed, read once and kept.</summary>
    public static PolicyDocument Stored(string text, bool resourcePolicy)
    {
        if (s_read.TryGetValue((text, resourcePolicy), out var known))
        {
            return known;
        }
        if (s_read.Count >= MaxRead)
        {
            s_read.Clear(); // policies change rarely; a full cache means many were replaced
        }
        return s_read[(text, resourcePolicy)] = Parse(text, resourcePolicy);
    }

    /// <summary>Reads a policy; a document IAM would refuse throws <see cref="FormatException"/> saying why.</summary>
    public static PolicyDocument Parse(string text, bool resourcePolicy)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the policy is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Statement", out var statementElement))
            {
                throw new FormatException("the policy has no Statement");
            }
            var statements = (statementElement.ValueKind == JsonValueKind.Array ? statementElement.EnumerateArray().ToList() : [statementElement])
                .Select(s => ReadStatement(s, resourcePolicy)).ToList();
            return statements.Count == 0 ? throw new FormatException("the policy has no statements") : new PolicyDocument(statements);
        }
    }

    /// <summary>
    /// The policy's effect on <paramref name="action"/> over <paramref name="resource"/>; in a resource policy, for
    /// the caller <paramref name="principalArn"/> of <paramref name="accountId"/>.
    /// </summary>
    public PolicyEffect Evaluate(string action, string resource, string? principalArn = null, string? accountId = null,
        IReadOnlyDictionary<string, string>? context = null)
    {
        var effect = PolicyEffect.None;
        foreach (var statement in _statements)
        {
            if (!statement.Conditions.All(c => c.IsMet(context)) || !statement.Actions.Matches([action]) || !statement.Resources.Matches([resource]))
            {
                continue;
            }
            if (statement.Principals is { } principals && !principals.Matches(PrincipalNames(principalArn, accountId)))
            {
                continue;
            }
            if (!statement.Allow)
            {
                return PolicyEffect.Deny;
            }
            effect = PolicyEffect.Allow;
        }
        return effect;
    }

    /// <summary>The names a principal is known by in a policy: its ARN, its account's root and id, and everyone.</summary>
    private static IEnumerable<string> PrincipalNames(string? principalArn, string? accountId) =>
        new[] { principalArn, accountId, accountId is null ? null : $"arn:aws:iam::{accountId}:root" }.OfType<string>();

    private static Statement ReadStatement(JsonElement statement, bool resourcePolicy)
    {
        if (statement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("each statement must be an object");
        }
        var effect = statement.TryGetProperty("Effect", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (effect is not ("Allow" or "Deny"))
        {
            throw new FormatException("each statement needs an Effect of Allow or Deny");
        }
        var actions = Read(statement, "Action", "NotAction", Comparison.WildcardsIgnoringCase) ?? throw new FormatException("each statement needs an Action or a NotAction");
        var resources = Read(statement, "Resource", "NotResource", Comparison.Wildcards);
        Matcher? principals = null;
        if (resourcePolicy)
        {
            principals = ReadPrincipal(statement) ?? throw new FormatException("each statement of a resource policy needs a Principal");
        }
        else if (resources is null)
        {
            throw new FormatException("each statement needs a Resource or a NotResource");
        }
        return new Statement(effect == "Allow", actions, resources ?? new Matcher(null, false, Comparison.Wildcards), principals, ReadConditions(statement));
    }

    /// <summary><c>{"Operator": {"key": value or [values]}}</c>; every key of every operator must be met.</summary>
    private static List<Condition> ReadConditions(JsonElement statement)
    {
        if (!statement.TryGetProperty("Condition", out var block))
        {
            return [];
        }
        if (block.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a Condition must be an object of operators");
        }
        var conditions = new List<Condition>();
        foreach (var op in block.EnumerateObject())
        {
            if (op.Value.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"the Condition operator {op.Name} must map keys to values");
            }
            conditions.AddRange(op.Value.EnumerateObject().Select(key => new Condition(op.Name, key.Name, Strings(key.Value, $"Condition.{op.Name}.{key.Name}"))));
        }
        return conditions;
    }

    private static Matcher? Read(JsonElement statement, string name, string notName, Comparison comparison)
    {
        if (statement.TryGetProperty(name, out var values))
        {
            return new Matcher(Strings(values, name), Negated: false, comparison);
        }
        return statement.TryGetProperty(notName, out var excluded) ? new Matcher(Strings(excluded, notName), Negated: true, comparison) : null;
    }

    /// <summary><c>"*"</c>, or <c>{"AWS": …, "Federated": …}</c> (other principal kinds, such as services, never match a caller here).</summary>
    private static Matcher? ReadPrincipal(JsonElement statement)
    {
        var negated = !statement.TryGetProperty("Principal", out var principal);
        if (negated && !statement.TryGetProperty("NotPrincipal", out principal))
        {
            return null;
        }
        if (principal.ValueKind == JsonValueKind.String)
        {
            return principal.GetString() == "*" ? new Matcher(["*"], negated, Comparison.Exact) : throw new FormatException("a Principal string must be \"*\"");
        }
        if (principal.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a Principal must be \"*\" or an object");
        }
        var names = new List<string>();
        foreach (var kind in new[] { "AWS", "Federated" })
        {
            if (principal.TryGetProperty(kind, out var given))
            {
                names.AddRange(Strings(given, $"Principal.{kind}"));
            }
        }
        return new Matcher(names, negated, Comparison.Exact);
    }

    private static List<string> Strings(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array when element.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) => element.EnumerateArray().Select(v => v.GetString()!).ToList(),
        _ => throw new FormatException($"{name} must be a string or a list of strings"),
    };

    private static bool Glob(string pattern, string value, bool ignoreCase)
    {
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
