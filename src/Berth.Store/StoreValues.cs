using System.Text.Json;

namespace Berth.Store;

/// <summary>The rules for documents: one well-formed JSON value, no larger than the limit.</summary>
public static class StoreValues
{
    /// <summary>Like etcd's request limit: large enough for any Kubernetes object, small enough to keep writes short.</summary>
    public const int MaxValueBytes = 3 * 1024 * 1024;

    public static void Validate(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxValueBytes)
        {
            throw new StoreException(StoreErrorCode.InvalidArgument,
                $"value is {value.Length} bytes; the limit is {MaxValueBytes}");
        }
        if (!System.Text.Unicode.Utf8.IsValid(value))
        {
            throw new StoreException(StoreErrorCode.InvalidArgument, "value is not valid UTF-8");
        }
        try
        {
            var reader = new Utf8JsonReader(value, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || !reader.TrySkip() || reader.Read())
            {
                throw new StoreException(StoreErrorCode.InvalidArgument, "value must be exactly one JSON document");
            }
        }
        catch (JsonException e)
        {
            throw new StoreException(StoreErrorCode.InvalidArgument, $"value is not valid JSON: {e.Message}", e);
        }
    }
}
