namespace Berth.Store.Sqlite;

/// <summary>
/// One queued write. <see cref="Apply"/> runs inside a shared batch transaction and either changes
/// the database or fails alone, leaving the rest of the batch untouched; the caller learns the outcome
/// only after the batch has committed.
/// </summary>
internal abstract class WriteRequest
{
    public abstract string Operation { get; }

    public long StartTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Checks preconditions, then writes. A <see cref="StoreException"/> rejects only this request.</summary>
    public abstract void Apply(WriteContext context);

    /// <summary>Reports the applied outcome, after the commit.</summary>
    public abstract void Complete();

    /// <summary>Reports a failure of this request or of its whole batch.</summary>
    public abstract void Fail(StoreException error);
}
