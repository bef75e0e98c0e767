namespace Berth.Kube.Controllers.Disruption;

/// <summary>A budget's expected pods cannot be counted: a pod's controller is missing or has no scale.</summary>
internal sealed class BudgetCalculationException(string message) : Exception(message);
