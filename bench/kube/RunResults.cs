namespace Berth.Bench.Kube;

internal sealed record RunResults(Measurement Create, Measurement Get, Measurement List, Measurement Watch, CpuCost? CreateCpu = null, CpuCost? GetCpu = null);

/// <summary>CPU milliseconds per operation: the server's, and the benchmark clients' beside it on the same cores.</summary>
internal sealed record CpuCost(double ServerMs, double ClientMs);
