using Berth.Kube.Resources.Apps;
using Berth.Kube.Resources.Core;
using Berth.Kube.Schema;

namespace Berth.Kube.Resources;

/// <summary>Every resource the API serves, found by group, version and plural name.</summary>
internal sealed class ResourceRegistry
{
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _byPath;

    public ResourceRegistry(IEnumerable<ResourceType> types)
    {
        Types = [.. types];
        _byPath = Types.ToDictionary(t => (t.Group, t.Version, t.Plural));
    }

    public IReadOnlyList<ResourceType> Types { get; }

    /// <summary>The built-in kinds served today.</summary>
    public static ResourceRegistry BuiltIn() => new(
    [
        BuiltInKind("", "v1", "Namespace", "namespaces", Namespaced: false, ["ns"], new NamespaceStrategy()),
        BuiltInKind("", "v1", "ConfigMap", "configmaps", Namespaced: true, ["cm"], new ConfigMapStrategy()),
        BuiltInKind("", "v1", "Secret", "secrets", Namespaced: true, [], new SecretStrategy()),
        BuiltInKind("", "v1", "Pod", "pods", Namespaced: true, ["po"], new PodStrategy()),
        BuiltInKind("apps", "v1", "Deployment", "deployments", Namespaced: true, ["deploy"], new DeploymentStrategy()),
        BuiltInKind("apps", "v1", "ReplicaSet", "replicasets", Namespaced: true, ["rs"], new ReplicaSetStrategy()),
    ]);

    private static ResourceType BuiltInKind(string group, string version, string kind, string plural, bool Namespaced,
        IReadOnlyList<string> shortNames, IResourceStrategy strategy) =>
        new(group, version, kind, plural, Namespaced, shortNames, strategy,
            ClientModelSchemas.Shared.ForKind(group, version, kind)
                ?? throw new InvalidOperationException($"No model schema for the built-in kind {group}/{version} {kind}."));

    public ResourceType? Find(string group, string version, string plural) =>
        _byPath.GetValueOrDefault((group, version, plural));

    /// <summary>The group/versions served, legacy core first, in a stable order.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions =>
        Types.Select(t => (t.Group, t.Version)).Distinct().OrderBy(gv => gv.Group.Length == 0 ? 0 : 1).ThenBy(gv => gv.Group, StringComparer.Ordinal);
}
