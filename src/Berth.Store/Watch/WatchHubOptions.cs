namespace Berth.Store.Watch;

/// <param name="RingCapacity">How many recent events to keep for joining watchers.</param>
/// <param name="RingByteBudget">How many bytes of documents the ring may hold at most.</param>
/// <param name="QueueCapacity">How many undelivered events one watcher may hold before it is dropped.</param>
internal sealed record WatchHubOptions(int RingCapacity, long RingByteBudget, int QueueCapacity);
