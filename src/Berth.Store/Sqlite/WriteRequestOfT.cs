namespace Berth.Store.Sqlite;

/// <summary>A write that answers with a <typeparamref name="T"/>.</summary>
internal abstract class WriteRequest<T> : WriteRequest
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public sealed override void Apply(WriteContext context) => _result = Execute(context);

    public sealed override void Complete()
    {
        StoreMetrics.Record(Operation, StartTimestamp, null);
        _completion.TrySetResult(_result!);
    }

    public sealed override void Fail(StoreException error)
    {
        StoreMetrics.Record(Operation, StartTimestamp, error.Code);
        _completion.TrySetException(error);
    }

    protected abstract T Execute(WriteContext context);
}
