namespace Berth.Store.Sqlite;

/// <summary>A page of history: the events found and the revision up to which the log was read.</summary>
internal sealed record EventPage(IReadOnlyList<WatchEvent> Events, long ScannedThrough);
