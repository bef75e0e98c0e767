using System.Text.RegularExpressions;

namespace Berth.Registry.Content;

/// <summary>
/// A repository the registry serves: <paramref name="Scope"/> is its owner's namespace (for ECR, the account and the
/// region), so the same name in two accounts is two repositories. <paramref name="ImmutableTags"/> refuses to move a tag
/// once it is set.
/// </summary>
public sealed partial record RegistryRepository(string Scope, string Name, bool ImmutableTags)
{
    /// <summary>Where the repository's manifests, tags and blob links live in the store.</summary>
    internal string KeyPrefix => $"/registry/{Scope}/{Name}/";

    /// <summary>
    /// A repository name as the distribution spec allows it: lower-case path components joined by <c>/</c>, each of
    /// alphanumerics separated by <c>.</c>, <c>_</c>, <c>__</c> or dashes. No component can be <c>..</c> or begin
    /// with <c>_</c>, which is what keeps the store keys of two repositories apart.
    /// </summary>
    public static bool IsValidName(string name) => name.Length <= 256 && NameRegex().IsMatch(name);

    /// <summary>A tag: up to 128 word characters, dots and dashes, not starting with a dot or dash.</summary>
    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
