namespace Berth.Store;

/// <summary>
/// The rules for keys and prefixes. Keys are printable ASCII paths starting with '/', so byte order,
/// string order and SQL collation all agree and a prefix's end is its last character plus one.
/// </summary>
public static class StoreKeys
{
    public const int MaxKeyLength = 2048;

    public static void ValidateKey(string key)
    {
        Validate(key, nameof(key));
        if (key.EndsWith('/'))
        {
            throw Invalid($"key '{key}' must not end with '/'");
        }
    }

    public static void ValidatePrefix(string prefix) => Validate(prefix, nameof(prefix));

    /// <summary>The smallest string greater than every string starting with <paramref name="prefix"/>.</summary>
    public static string PrefixEnd(string prefix) =>
        string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString());

    private static void Validate(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value, what);
        if (value.Length == 0 || value[0] != '/')
        {
            throw Invalid($"{what} '{value}' must start with '/'");
        }
        if (value.Length > MaxKeyLength)
        {
            throw Invalid($"{what} is {value.Length} characters long; the limit is {MaxKeyLength}");
        }
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                throw Invalid($"{what} '{value}' may hold only printable ASCII characters without spaces");
            }
        }
    }

    private static StoreException Invalid(string message) => new(StoreErrorCode.InvalidArgument, message);
}
