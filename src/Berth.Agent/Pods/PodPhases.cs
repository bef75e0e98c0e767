namespace Berth.Agent.Pods;

internal static class PodPhases
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    /// <summary>A pod that has succeeded or failed never runs again.</summary>
    public static bool IsTerminal(string? phase) => phase is Succeeded or Failed;
}
