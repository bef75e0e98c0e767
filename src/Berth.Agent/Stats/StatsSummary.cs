using System.Text.Json.Serialization;

namespace Berth.Agent.Stats;

/// <summary>
/// The part of the kubelet's Summary API (<c>/stats/summary</c>, stats/v1alpha1) that resource metrics need: CPU as
/// cumulative core-nanoseconds and memory as the working set, for the node, each pod and each container, with the
/// time of each reading. Rates are the reader's to take, between two summaries, as metrics-server takes them.
/// </summary>
internal sealed record StatsSummary(
    [property: JsonPropertyName("node")] NodeStats Node,
    [property: JsonPropertyName("pods")] IReadOnlyList<PodStats> Pods);

internal sealed record NodeStats(
    [property: JsonPropertyName("nodeName")] string NodeName,
    [property: JsonPropertyName("cpu")] CpuStats Cpu,
    [property: JsonPropertyName("memory")] MemoryStats Memory);

internal sealed record PodStats(
    [property: JsonPropertyName("podRef")] PodReference PodRef,
    [property: JsonPropertyName("containers")] IReadOnlyList<ContainerStats> Containers,
    [property: JsonPropertyName("cpu")] CpuStats Cpu,
    [property: JsonPropertyName("memory")] MemoryStats Memory);

internal sealed record PodReference(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("uid")] string Uid);

internal sealed record ContainerStats(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("startTime")] DateTimeOffset? StartTime,
    [property: JsonPropertyName("cpu")] CpuStats Cpu,
    [property: JsonPropertyName("memory")] MemoryStats Memory);

internal sealed record CpuStats(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("usageCoreNanoSeconds")] ulong UsageCoreNanoSeconds);

internal sealed record MemoryStats(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("workingSetBytes")] ulong WorkingSetBytes);

[JsonSerializable(typeof(StatsSummary))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
