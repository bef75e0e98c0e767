using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Ecr;

/// <summary>
/// An ECR lifecycle policy: rules, applied in <c>rulePriority</c> order, that expire images by tag status, tag prefixes
/// or patterns, and either a count to keep (<c>imageCountMoreThan</c>) or an age (<c>sinceImagePushed</c>). As in ECR,
/// an image that a rule's selection matches is that rule's: no lower-priority rule expires it.
/// </summary>
public sealed class LifecyclePolicy
{
    private LifecyclePolicy(IReadOnlyList<Rule> rules)
    {
        Rules = rules;
    }

    public IReadOnlyList<Rule> Rules { get; }

    public sealed record Rule(int Priority, string TagStatus, IReadOnlyList<string> TagPrefixes, IReadOnlyList<string> TagPatterns, string CountType, int CountNumber)
    {
        /// <summary>Whether the rule's selection takes an image with these tags.</summary>
        public bool Selects(IReadOnlyList<string> tags) => TagStatus switch
        {
            "untagged" => tags.Count == 0,
            "any" => true,
            // every prefix and every pattern must be matched by one of the image's tags
            _ => tags.Count > 0
                && TagPrefixes.All(p => tags.Any(t => t.StartsWith(p, StringComparison.Ordinal)))
                && TagPatterns.All(p => tags.Any(t => Wildcard(p).IsMatch(t))),
        };
    }

    /// <summary>An image as the policy sees it.</summary>
    public sealed record Candidate(string Digest, IReadOnlyList<string> Tags, DateTimeOffset PushedAt);

    /// <summary>The digests of the images the policy expires at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> Expired(IEnumerable<Candidate> images, DateTimeOffset now)
    {
        var remaining = images.ToList();
        var expired = new List<string>();
        foreach (var rule in Rules)
        {
            var selected = remaining.Where(i => rule.Selects(i.Tags)).OrderByDescending(i => i.PushedAt).ToList();
            remaining.RemoveAll(selected.Contains);
            expired.AddRange(rule.CountType == "imageCountMoreThan"
                ? selected.Skip(rule.CountNumber).Select(i => i.Digest)
                : selected.Where(i => i.PushedAt < now - TimeSpan.FromDays(rule.CountNumber)).Select(i => i.Digest));
        }
        return expired;
    }

    /// <summary>Reads and checks a policy as ECR does; a policy ECR would refuse is its InvalidParameterException.</summary>
    public static LifecyclePolicy Parse(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw Invalid("the policy is not valid JSON");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("rules", out var rulesElement)
                || rulesElement.ValueKind != JsonValueKind.Array || rulesElement.GetArrayLength() == 0)
            {
                throw Invalid("the policy needs a non-empty 'rules' list");
            }
            var rules = rulesElement.EnumerateArray().Select(ReadRule).OrderBy(r => r.Priority).ToList();
            if (rules.Select(r => r.Priority).Distinct().Count() != rules.Count)
            {
                throw Invalid("each rule needs a unique 'rulePriority'");
            }
            if (rules.SkipLast(1).Any(r => r.TagStatus == "any"))
            {
                throw Invalid("a rule with tagStatus 'any' must have the highest 'rulePriority'");
            }
            return new LifecyclePolicy(rules);
        }
    }

    private static Rule ReadRule(JsonElement rule)
    {
        if (rule.ValueKind != JsonValueKind.Object
            || !rule.TryGetProperty("rulePriority", out var priority) || !priority.TryGetInt32(out var rulePriority) || rulePriority < 1)
        {
            throw Invalid("each rule needs a 'rulePriority', a whole number of at least 1");
        }
        if (!rule.TryGetProperty("selection", out var selection) || selection.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"rule {rulePriority} needs a 'selection'");
        }
        if (!rule.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object
            || !action.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "expire")
        {
            throw Invalid($"rule {rulePriority} needs an 'action' of type 'expire'");
        }
        var tagStatus = String(selection, "tagStatus");
        if (tagStatus is not ("tagged" or "untagged" or "any"))
        {
            throw Invalid($"rule {rulePriority}: 'tagStatus' must be tagged, untagged or any");
        }
        var prefixes = Strings(selection, "tagPrefixList");
        var patterns = Strings(selection, "tagPatternList");
        if (tagStatus == "tagged" && prefixes.Count + patterns.Count == 0)
        {
            throw Invalid($"rule {rulePriority}: tagged selections need a 'tagPrefixList' or a 'tagPatternList'");
        }
        if (tagStatus != "tagged" && prefixes.Count + patterns.Count > 0)
        {
            throw Invalid($"rule {rulePriority}: 'tagPrefixList' and 'tagPatternList' are only for tagged selections");
        }
        if (patterns.Any(p => p.Count(c => c == '*') > 4))
        {
            throw Invalid($"rule {rulePriority}: a tag pattern may hold at most four wildcards");
        }
        var countType = String(selection, "countType");
        if (countType is not ("imageCountMoreThan" or "sinceImagePushed"))
        {
            throw Invalid($"rule {rulePriority}: 'countType' must be imageCountMoreThan or sinceImagePushed");
        }
        if (countType == "sinceImagePushed" && String(selection, "countUnit") != "days")
        {
            throw Invalid($"rule {rulePriority}: sinceImagePushed needs 'countUnit' days");
        }
        if (countType == "imageCountMoreThan" && selection.TryGetProperty("countUnit", out _))
        {
            throw Invalid($"rule {rulePriority}: imageCountMoreThan takes no 'countUnit'");
        }
        if (!selection.TryGetProperty("countNumber", out var count) || !count.TryGetInt32(out var countNumber) || countNumber < 1)
        {
            throw Invalid($"rule {rulePriority}: 'countNumber' must be a whole number of at least 1");
        }
        return new Rule(rulePriority, tagStatus, prefixes, patterns, countType, countNumber);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.GetString() ?? "").ToList()
            : [];

    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    private static AwsException Invalid(string reason) =>
        new("InvalidParameterException", $"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: {reason}'");
}
