namespace Berth.Kube.Scheduling;

/// <summary>A pod as the scheduling cache holds it: its key (<c>namespace/name</c> under the cluster's prefix) and what it takes.</summary>
internal sealed record CachedPod(string Key, PodDemand Pod);
