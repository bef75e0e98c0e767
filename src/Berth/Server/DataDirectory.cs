namespace Berth.Server;

/// <summary>Where Berth keeps its data: the flag, else <c>BERTH_DATA_DIR</c>, else <c>~/.berth</c>.</summary>
internal static class DataDirectory
{
    public const string EnvironmentVariable = "BERTH_DATA_DIR";

    public static string Resolve(string? flag)
    {
        var chosen = flag;
        if (string.IsNullOrEmpty(chosen))
        {
            chosen = Environment.GetEnvironmentVariable(EnvironmentVariable);
        }
        if (string.IsNullOrEmpty(chosen))
        {
            chosen = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".berth");
        }
        return Path.GetFullPath(chosen);
    }
}
