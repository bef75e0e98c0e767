using System.Buffers.Text;
using System.Text;

namespace Berth.Store;

/// <summary>
/// The opaque token that resumes a list: the revision the first page was read at and the last key
/// returned, so every page reads the same snapshot.
/// </summary>
internal readonly record struct ContinueToken(long Revision, string LastKey)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{Revision}:{LastKey}"));

    public static ContinueToken Decode(string token, string prefix)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(text.AsSpan(0, colon), out var revision) && revision > 0)
            {
                var key = text[(colon + 1)..];
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return new ContinueToken(revision, key);
                }
            }
        }
        catch (FormatException)
        {
            // reported below, with the same message as any other malformed token
        }
        throw new StoreException(StoreErrorCode.InvalidArgument, "continue token is malformed or belongs to another list");
    }
}
