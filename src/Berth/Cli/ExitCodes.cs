namespace Berth.Cli;

/// <summary>What <c>berth</c> returns to the shell.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;

    /// <summary>The data folder's store cannot be opened: damaged, foreign, or in use.</summary>
    public const int StoreUnavailable = 3;

    /// <summary>The server cannot listen on its address, usually because the port is taken.</summary>
    public const int ListenFailed = 4;
}
