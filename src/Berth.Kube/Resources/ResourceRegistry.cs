using Berth.Kube.Authorization;
using Berth.Kube.Resources.ApiExtensions;
using Berth.Kube.Resources.Apps;
using Berth.Kube.Resources.Autoscaling;
using Berth.Kube.Resources.Batch;
using Berth.Kube.Resources.Coordination;
using Berth.Kube.Resources.Core;
using Berth.Kube.Resources.Discovery;
using Berth.Kube.Resources.Policy;
using Berth.Kube.Resources.Rbac;
using Berth.Kube.Resources.Scheduling;
using Berth.Kube.Resources.Storage;
using Berth.Kube.Schema;

namespace Berth.Kube.Resources;

/// <summary>
/// Every resource the API serves, found by group, version and plural name: the built-in kinds, and the custom
/// resources CRDs add and remove while the server runs. Readers see one consistent snapshot per call.
/// </summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _lock = new();
    private Snapshot _current;

    public ResourceRegistry(IEnumerable<ResourceType> types) => _current = new Snapshot([.. types], 0);

    public IReadOnlyList<ResourceType> Types => _current.Types;

    /// <summary>Grows with every change, so that documents built from the registry know when they are stale.</summary>
    public long Generation => _current.Generation;

    /// <summary>Serves <paramref name="type"/>, in place of a served resource of the same group, version and plural.</summary>
    public void AddOrReplace(ResourceType type)
    {
        lock (_lock)
        {
            _current = new Snapshot([.. _current.Types.Where(t => (t.Group, t.Version, t.Plural) != (type.Group, type.Version, type.Plural)), type],
                _current.Generation + 1);
        }
    }

    /// <summary>Stops serving the resources of a group and plural, in every version.</summary>
    public void Remove(string group, string plural)
    {
        lock (_lock)
        {
            _current = new Snapshot([.. _current.Types.Where(t => t.Group != group || t.Plural != plural)], _current.Generation + 1);
        }
    }

    private sealed class Snapshot(IReadOnlyList<ResourceType> types, long generation)
    {
        public IReadOnlyList<ResourceType> Types { get; } = types;

        public long Generation { get; } = generation;

        public Dictionary<(string Group, string Version, string Plural), ResourceType> ByPath { get; } =
            types.ToDictionary(t => (t.Group, t.Version, t.Plural));
    }

    private static readonly Lazy<IReadOnlyList<ResourceType>> s_builtIn = new(BuiltInTypes);

    /// <summary>A registry of the built-in kinds, for one cluster: the kinds' types are made once and shared, CRDs are the registry's own.</summary>
    public static ResourceRegistry BuiltIn() => new(s_builtIn.Value);

    /// <summary>The built-in kinds served today.</summary>
    private static IReadOnlyList<ResourceType> BuiltInTypes() =>
    [
        BuiltInKind("", "v1", "Namespace", "namespaces", Namespaced: false, ["ns"], new NamespaceStrategy()),
        BuiltInKind("", "v1", "ConfigMap", "configmaps", Namespaced: true, ["cm"], new ConfigMapStrategy()),
        BuiltInKind("", "v1", "Secret", "secrets", Namespaced: true, [], new SecretStrategy()),
        BuiltInKind("", "v1", "Pod", "pods", Namespaced: true, ["po"], new PodStrategy()),
        BuiltInKind("", "v1", "Service", "services", Namespaced: true, ["svc"], new ServiceStrategy()),
        BuiltInKind("", "v1", "Event", "events", Namespaced: true, ["ev"], new EventStrategy()),
        BuiltInKind("", "v1", "ServiceAccount", "serviceaccounts", Namespaced: true, ["sa"], new ServiceAccountStrategy()),
        BuiltInKind("", "v1", "Node", "nodes", Namespaced: false, ["no"], new NodeStrategy()),
        BuiltInKind("", "v1", "Endpoints", "endpoints", Namespaced: true, ["ep"], new EndpointsStrategy()),
        BuiltInKind("", "v1", "PersistentVolume", "persistentvolumes", Namespaced: false, ["pv"], new PersistentVolumeStrategy()),
        BuiltInKind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", Namespaced: true, ["pvc"], new PersistentVolumeClaimStrategy()),
        BuiltInKind("apps", "v1", "Deployment", "deployments", Namespaced: true, ["deploy"], new DeploymentStrategy()),
        BuiltInKind("apps", "v1", "ReplicaSet", "replicasets", Namespaced: true, ["rs"], new ReplicaSetStrategy()),
        BuiltInKind("apps", "v1", "StatefulSet", "statefulsets", Namespaced: true, ["sts"], new StatefulSetStrategy()),
        BuiltInKind("apps", "v1", "DaemonSet", "daemonsets", Namespaced: true, ["ds"], new DaemonSetStrategy()),
        BuiltInKind("apps", "v1", "ControllerRevision", "controllerrevisions", Namespaced: true, [], new ControllerRevisionStrategy()),
        BuiltInKind("batch", "v1", "Job", "jobs", Namespaced: true, [], new JobStrategy()),
        BuiltInKind("batch", "v1", "CronJob", "cronjobs", Namespaced: true, ["cj"], new CronJobStrategy()),
        BuiltInKind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", Namespaced: true, ["hpa"],
            new HorizontalPodAutoscalerStrategy()),
        BuiltInKind("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", Namespaced: true, ["hpa"],
            new HorizontalPodAutoscalerV1Strategy(new HorizontalPodAutoscalerStrategy()), HorizontalPodAutoscalerV1.Storage),
        BuiltInKind("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", Namespaced: false, [], new Metrics.ResourceMetricsStrategy()),
        BuiltInKind("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", Namespaced: true, [], new Metrics.ResourceMetricsStrategy()),
        BuiltInKind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", Namespaced: true, ["pdb"], new PodDisruptionBudgetStrategy()),
        BuiltInKind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", Namespaced: true, [], new EndpointSliceStrategy()),
        BuiltInKind("coordination.k8s.io", "v1", "Lease", "leases", Namespaced: true, [], new LeaseStrategy()),
        BuiltInKind("events.k8s.io", "v1", "Event", "events", Namespaced: true, ["ev"], new Events.EventStrategy(new EventStrategy()), Events.EventsV1.Storage),
        BuiltInKind("storage.k8s.io", "v1", "StorageClass", "storageclasses", Namespaced: false, ["sc"], new StorageClassStrategy()),
        BuiltInKind("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", Namespaced: false, ["pc"], new PriorityClassStrategy()),
        BuiltInKind("rbac.authorization.k8s.io", "v1", "Role", "roles", Namespaced: true, [], new RoleStrategy(clusterScoped: false)),
        BuiltInKind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", Namespaced: false, [], new RoleStrategy(clusterScoped: true)),
        BuiltInKind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", Namespaced: true, [], new RoleBindingStrategy(clusterScoped: false)),
        BuiltInKind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", Namespaced: false, [],
            new RoleBindingStrategy(clusterScoped: true)),
        BuiltInKind("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", Namespaced: false, [],
            new AccessReviewStrategy(ReviewSubject.Self)),
        BuiltInKind("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", Namespaced: false, [],
            new AccessReviewStrategy(ReviewSubject.Named)),
        BuiltInKind("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", Namespaced: true, [],
            new AccessReviewStrategy(ReviewSubject.NamedInNamespace)),
        BuiltInKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", Namespaced: false, ["crd", "crds"],
            new CustomResourceDefinitionStrategy()),
    ];

    private static ResourceType BuiltInKind(string group, string version, string kind, string plural, bool Namespaced,
        IReadOnlyList<string> shortNames, IResourceStrategy strategy, StoredAs? storedAs = null) =>
        new(group, version, kind, plural, Namespaced, shortNames, strategy,
            ClientModelSchemas.Shared.ForKind(group, version, kind)
                ?? throw new InvalidOperationException($"No model schema for the built-in kind {group}/{version} {kind}."), storedAs);

    public ResourceType? Find(string group, string version, string plural) =>
        _current.ByPath.GetValueOrDefault((group, version, plural));

    /// <summary>The resource of a kind named as an object names it: <c>apps/v1</c> and <c>Deployment</c>.</summary>
    public ResourceType? FindKind(string apiVersion, string kind) =>
        Types.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    /// <summary>
    /// The resource whose objects are stored under the key segments <c>group</c> and <c>plural</c>: their owner,
    /// never a resource that serves them through another version.
    /// </summary>
    public ResourceType? FindStored(string groupSegment, string plural) =>
        Types.FirstOrDefault(t => t.StoredAs is null && t.GroupSegment == groupSegment && t.Plural == plural);

    /// <summary>The group/versions served, legacy core first, in a stable order.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions =>
        Types.Select(t => (t.Group, t.Version)).Distinct().OrderBy(gv => gv.Group.Length == 0 ? 0 : 1).ThenBy(gv => gv.Group, StringComparer.Ordinal);
}
