using System.Text.Json.Nodes;

namespace Berth.Kube.ManagedFields;

/// <summary>
/// The items of a keyed list, each named by its element (<c>k:{"name":"web"}</c>) and found by it in constant time,
/// so that comparing and merging long lists (a thousand environment variables) stays linear.
/// </summary>
internal sealed class KeyedItems
{
    private readonly Dictionary<string, int> _positions;

    private KeyedItems(string[] elements, Dictionary<string, int> positions)
    {
        Elements = elements;
        _positions = positions;
    }

    /// <summary>The element naming each item, in the list's order.</summary>
    public IReadOnlyList<string> Elements { get; }

    /// <summary>The list's items by element; null when an item lacks its key or two items share one.</summary>
    public static KeyedItems? Of(JsonArray list, ListKeys keys)
    {
        var elements = new string[list.Count];
        var positions = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (keys.Element(list[i]) is not { } element || !positions.TryAdd(element, i))
            {
                return null;
            }
            elements[i] = element;
        }
        return new KeyedItems(elements, positions);
    }

    /// <summary>The position of the item named <paramref name="element"/>; -1 when there is none.</summary>
    public int IndexOf(string element) => _positions.GetValueOrDefault(element, -1);

    public bool Contains(string element) => _positions.ContainsKey(element);
}
