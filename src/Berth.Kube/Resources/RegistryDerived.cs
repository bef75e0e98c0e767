namespace Berth.Kube.Resources;

/// <summary>
/// A value built from the registry (a discovery or OpenAPI document), kept until the registry changes and then
/// built again on the next read. Two readers may build the same generation at once; either result serves.
/// </summary>
internal sealed class RegistryDerived<T>(ResourceRegistry registry, Func<ResourceRegistry, T> build)
    where T : class
{
    private volatile Entry? _entry;

    public T Value
    {
        get
        {
            var generation = registry.Generation;
            if (_entry is { } entry && entry.Generation == generation)
            {
                return entry.Value;
            }
            var value = build(registry);
            _entry = new Entry(generation, value);
            return value;
        }
    }

    private sealed record Entry(long Generation, T Value);
}
