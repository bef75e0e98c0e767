namespace Berth.Bench.Kube;

internal sealed record RunResults(Measurement Create, Measurement Get, Measurement List, Measurement Watch);
