namespace Berth.Store;

/// <summary>The store's file cannot be used: corrupt, foreign, too new, or in use by another process.</summary>
public sealed class StoreOpenException : Exception
{
    public StoreOpenException(string path, string reason, Exception? innerException = null)
        : base($"cannot open store '{path}': {reason}", innerException)
    {
        Path = path;
    }

    public StoreOpenException()
    {
        Path = "";
    }

    public StoreOpenException(string message)
        : base(message)
    {
        Path = "";
    }

    public StoreOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    public string Path { get; }
}
