using System.Text.Json.Nodes;

namespace Berth.Kube.Resources;

/// <summary>
/// A conversion between two versions of a kind whose fields differ only in their names: each field keeps its
/// value and its place, fields named in neither list pass unchanged, and the apiVersion is swapped.
/// </summary>
internal sealed class RenamingConverter(string storedApiVersion, string servedApiVersion, IReadOnlyList<(string Stored, string Served)> renamed)
    : IObjectConverter
{
    private readonly Dictionary<string, string> _toServed = renamed.ToDictionary(r => r.Stored, r => r.Served, StringComparer.Ordinal);
    private readonly Dictionary<string, string> _toStored = renamed.ToDictionary(r => r.Served, r => r.Stored, StringComparer.Ordinal);

    public JsonObject FromStored(JsonObject stored) => Rename(stored, servedApiVersion, _toServed);

    public JsonObject ToStored(JsonObject served) => Rename(served, storedApiVersion, _toStored);

    private static JsonObject Rename(JsonObject source, string apiVersion, Dictionary<string, string> names)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key == "apiVersion")
            {
                result[key] = apiVersion;
                continue;
            }
            result[names.GetValueOrDefault(key, key)] = value?.DeepClone();
        }
        return result;
    }
}
