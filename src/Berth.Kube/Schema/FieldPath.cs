using System.Text;

namespace Berth.Kube.Schema;

/// <summary>
/// Where a decoder is in an object, kept as a stack of fields and list positions and written out only when a
/// field is reported: most objects have no unknown or mistyped field, and every field of every write is walked.
/// </summary>
internal sealed class FieldPath
{
    private readonly List<(string Segment, bool IsIndex)> _segments = [];

    public void PushField(string name) => _segments.Add((name, false));

    /// <summary>A list position or map key, written in brackets.</summary>
    public void PushIndex(string index) => _segments.Add((index, true));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    /// <summary>The path of field <paramref name="name"/> here, with positions: <c>spec.containers[0].foo</c>.</summary>
    public string Format(string name)
    {
        var text = Append(new StringBuilder(), indexes: true);
        return (text.Length > 0 ? text.Append('.') : text).Append(name).ToString();
    }

    /// <summary>The path as Go's type errors name fields, without positions: <c>spec.containers.image</c>.</summary>
    public string FormatGo() => Append(new StringBuilder(), indexes: false).ToString();

    private StringBuilder Append(StringBuilder text, bool indexes)
    {
        foreach (var (segment, isIndex) in _segments)
        {
            if (isIndex)
            {
                if (indexes)
                {
                    text.Append('[').Append(segment).Append(']');
                }
                continue;
            }
            if (text.Length > 0)
            {
                text.Append('.');
            }
            text.Append(segment);
        }
        return text;
    }
}
