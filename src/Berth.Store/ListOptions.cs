namespace Berth.Store;

/// <summary>How to page through a list.</summary>
/// <param name="Limit">The most entries to return; zero returns them all.</param>
/// <param name="Continue">The token from the previous page; the page is read at that page's revision.</param>
/// <param name="Revision">Reads at this revision when above zero; otherwise at the newest.</param>
public sealed record ListOptions(int Limit = 0, string? Continue = null, long Revision = 0);
