using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Berth.Agent.Client;

/// <summary>
/// A resource collection of the API, as a client finds it: the path of its group and version, its plural, whether its
/// objects live in namespaces, and how its objects and lists are read and written.
/// </summary>
internal sealed class ApiResource<T, TList>(string groupVersion, string plural, bool namespaced, JsonTypeInfo<T> type, JsonTypeInfo<TList> listType)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    public JsonTypeInfo<T> Type => type;

    public JsonTypeInfo<TList> ListType => listType;

    /// <summary>The collection across all namespaces (<c>api/v1/pods</c>).</summary>
    public string CollectionPath => $"{groupVersion}/{plural}";

    /// <summary>The collection of one namespace, or the cluster's for a resource without namespaces.</summary>
    public string CollectionPathIn(string? @namespace) =>
        namespaced ? $"{groupVersion}/namespaces/{Uri.EscapeDataString(Required(@namespace))}/{plural}" : CollectionPath;

    /// <summary>An object's path, or its subresource's.</summary>
    public string ObjectPath(string? @namespace, string name, string? subresource = null) =>
        $"{CollectionPathIn(@namespace)}/{Uri.EscapeDataString(name)}" + (subresource is null ? "" : "/" + subresource);

    private string Required(string? @namespace) =>
        string.IsNullOrEmpty(@namespace) ? throw new ArgumentException($"{plural} live in namespaces: one must be named") : @namespace;
}

/// <summary>The resources the agent reads and writes.</summary>
internal static class ApiResources
{
    public static readonly ApiResource<V1Pod, V1PodList> Pods = new("api/v1", "pods", true, AgentJson.Default.V1Pod, AgentJson.Default.V1PodList);
    public static readonly ApiResource<V1Node, V1NodeList> Nodes = new("api/v1", "nodes", false, AgentJson.Default.V1Node, AgentJson.Default.V1NodeList);
    public static readonly ApiResource<Corev1Event, Corev1EventList> Events = new("api/v1", "events", true, AgentJson.Default.Corev1Event, AgentJson.Default.Corev1EventList);
    public static readonly ApiResource<V1ConfigMap, V1ConfigMapList> ConfigMaps = new("api/v1", "configmaps", true, AgentJson.Default.V1ConfigMap, AgentJson.Default.V1ConfigMapList);
    public static readonly ApiResource<V1Secret, V1SecretList> Secrets = new("api/v1", "secrets", true, AgentJson.Default.V1Secret, AgentJson.Default.V1SecretList);
    public static readonly ApiResource<V1Service, V1ServiceList> Services = new("api/v1", "services", true, AgentJson.Default.V1Service, AgentJson.Default.V1ServiceList);

    public static readonly ApiResource<V1PersistentVolumeClaim, V1PersistentVolumeClaimList> PersistentVolumeClaims =
        new("api/v1", "persistentvolumeclaims", true, AgentJson.Default.V1PersistentVolumeClaim, AgentJson.Default.V1PersistentVolumeClaimList);

    public static readonly ApiResource<V1PersistentVolume, V1PersistentVolumeList> PersistentVolumes =
        new("api/v1", "persistentvolumes", false, AgentJson.Default.V1PersistentVolume, AgentJson.Default.V1PersistentVolumeList);

    public static readonly ApiResource<V1EndpointSlice, V1EndpointSliceList> EndpointSlices =
        new("apis/discovery.k8s.io/v1", "endpointslices", true, AgentJson.Default.V1EndpointSlice, AgentJson.Default.V1EndpointSliceList);

    public static readonly ApiResource<V1Lease, V1LeaseList> Leases =
        new("apis/coordination.k8s.io/v1", "leases", true, AgentJson.Default.V1Lease, AgentJson.Default.V1LeaseList);

    /// <summary>Where a service account's tokens are requested (its <c>token</c> subresource).</summary>
    public static string ServiceAccountToken(string @namespace, string serviceAccount) =>
        $"api/v1/namespaces/{Uri.EscapeDataString(@namespace)}/serviceaccounts/{Uri.EscapeDataString(serviceAccount)}/token";

    /// <summary>Where SubjectAccessReviews are created: a resource that is only ever posted, never stored.</summary>
    public const string SubjectAccessReviews = "apis/authorization.k8s.io/v1/subjectaccessreviews";
}
