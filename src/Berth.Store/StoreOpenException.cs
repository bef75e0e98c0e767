namespace Berth.Store;

/// <summary>The store's file cannot be used: corrupt, foreign, too new, or in use by another process.</summary>
public sealed class StoreOpenException : Exception
{
    public StoreOpenException(string path, string reason, Exception? innerException = null)
        : base($"cannot open store '{path}': {reason}", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}
