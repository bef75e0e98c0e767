using Berth.Kube.Schema;

namespace Berth.Kube.Resources;

/// <summary>
/// One served resource: its names, its scope, the schema its objects are decoded with, the strategy that
/// defaults, validates and prints it, and, for a resource that serves another's objects, where and how they are stored.
/// </summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Kind,
    string Plural,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IResourceStrategy Strategy,
    TypeSchema Schema,
    StoredAs? StoredAs = null)
{
    public static readonly IReadOnlyList<string> StandardVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>The verbs the resource serves, as discovery lists them.</summary>
    public IReadOnlyList<string> Verbs => Strategy.CreateOnly ? ["create"] : Strategy.Computed ? ["get", "list"] : StandardVerbs;

    public IReadOnlyList<string> Categories => Strategy.Categories;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();

    public string ListKind => Kind + "List";

    /// <summary>The store key segment of the group: Kubernetes' legacy group "" is "core".</summary>
    public string GroupSegment => Group.Length == 0 ? "core" : Group;

    /// <summary>The group segment of the store keys the objects live under: the owning resource's when they are another's.</summary>
    public string StorageGroupSegment => StoredAs?.GroupSegment ?? GroupSegment;

    /// <summary>The plural segment of the store keys the objects live under.</summary>
    public string StoragePlural => StoredAs?.Plural ?? Plural;
}
