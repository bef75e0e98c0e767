using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// The completion indexes of an Indexed Job: each pod's index (its <c>batch.kubernetes.io/job-completion-index</c>
/// annotation) and the succeeded ones as <c>status.completedIndexes</c> writes them, ranges joined ("1,3-5").
/// </summary>
internal static class CompletionIndexes
{
    public const string Annotation = "batch.kubernetes.io/job-completion-index";

    /// <summary>The pod's completion index, or null when it has none or it is not a number.</summary>
    public static int? Of(JsonObject pod) =>
        int.TryParse(pod["metadata"]?["annotations"]?[Annotation].AsText(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    /// <summary>The indexes a <c>completedIndexes</c> text holds, those below <paramref name="completions"/>.</summary>
    public static SortedSet<int> Parse(string? text, long completions)
    {
        var indexes = new SortedSet<int>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', 2);
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                continue;
            }
            var last = first;
            if (bounds.Length == 2 && !int.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out last))
            {
                continue;
            }
            for (var i = first; i <= last && i < completions; i++)
            {
                indexes.Add(i);
            }
        }
        return indexes;
    }

    public static string Format(IEnumerable<int> indexes)
    {
        var text = new StringBuilder();
        int? start = null, end = null;
        foreach (var index in indexes.Order())
        {
            if (end is { } previous && index == previous + 1)
            {
                end = index;
                continue;
            }
            Append(text, start, end);
            start = end = index;
        }
        Append(text, start, end);
        return text.ToString();
    }

    /// <summary>The lowest <paramref name="count"/> indexes below <paramref name="completions"/> neither succeeded nor held by a pod.</summary>
    public static List<int> FirstPending(IReadOnlySet<int> succeeded, IEnumerable<int> active, long completions, int count)
    {
        var held = new HashSet<int>(active);
        var pending = new List<int>();
        for (var i = 0; i < completions && pending.Count < count; i++)
        {
            if (!succeeded.Contains(i) && !held.Contains(i))
            {
                pending.Add(i);
            }
        }
        return pending;
    }

    private static void Append(StringBuilder text, int? start, int? end)
    {
        if (start is not { } first || end is not { } last)
        {
            return;
        }
        if (text.Length > 0)
        {
            text.Append(',');
        }
        text.Append(first.ToString(CultureInfo.InvariantCulture));
        if (last > first)
        {
            text.Append('-').Append(last.ToString(CultureInfo.InvariantCulture));
        }
    }
}
