namespace Berth.Kube.Resources;

/// <summary>How kube-apiserver's printers shorten a long list in a cell: the first few, then "+ N more...".</summary>
internal static class ListText
{
    /// <param name="items">Every item, in order.</param>
    /// <param name="max">How many are shown.</param>
    /// <param name="separator">Between the items shown.</param>
    /// <param name="empty">What an empty list prints as.</param>
    public static string WithMore(IReadOnlyCollection<string> items, int max, string separator = ",", string empty = "<unset>")
    {
        var shown = string.Join(separator, items.Take(max));
        if (items.Count > max)
        {
            return $"{shown} + {items.Count - max} more...";
        }
        return items.Count == 0 ? empty : shown;
    }
}
