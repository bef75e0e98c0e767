namespace Berth.Store;

/// <summary>One page of a list.</summary>
/// <param name="Items">The entries, in key order.</param>
/// <param name="Revision">The revision every entry of every page of this list was read at.</param>
/// <param name="Continue">A token for the next page, or null when this was the last.</param>
public sealed record ListResult(IReadOnlyList<StoreEntry> Items, long Revision, string? Continue);
