using Berth.Kube.Schema;

namespace Berth.Kube.Resources;

/// <summary>
/// One served resource: its names, its scope, the schema its objects are decoded with, and the strategy that
/// defaults, validates and prints it.
/// </summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Kind,
    string Plural,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IResourceStrategy Strategy,
    TypeSchema Schema)
{
    public static readonly IReadOnlyList<string> StandardVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>The verbs the resource serves, as discovery lists them.</summary>
    public IReadOnlyList<string> Verbs => Strategy.CreateOnly ? ["create"] : StandardVerbs;

    public IReadOnlyList<string> Categories => Strategy.Categories;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();

    public string ListKind => Kind + "List";

    /// <summary>The store key segment of the group: Kubernetes' legacy group "" is "core".</summary>
    public string GroupSegment => Group.Length == 0 ? "core" : Group;
}
