using System.Text;
using System.Xml;
using Berth.Kube.Schema;

namespace Berth.Kube.OpenApi;

/// <summary>
/// The descriptions of the built-in kinds' fields: the summaries in KubernetesClient's XML documentation, which
/// ships beside the assembly. Read once, when a schema is first published, and only the model members.
/// </summary>
internal sealed class ModelDocumentation
{
    private const string FileName = "KubernetesClient.xml";

    private readonly Lazy<Dictionary<string, string>> _summaries;

    public ModelDocumentation(string path) => _summaries = new(() => Load(path));

    public static ModelDocumentation Shared { get; } = new(Path.Combine(AppContext.BaseDirectory, FileName));

    public string? Describe(Description description) =>
        description.Text ?? (description.DocumentationId is { } id ? _summaries.Value.GetValueOrDefault(id) : null);

    private static Dictionary<string, string> Load(string path)
    {
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return summaries; // a build without the documentation publishes schemas without descriptions
        }
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (reader.ReadToFollowing("member"))
        {
            var name = reader.GetAttribute("name");
            if (name is null || !(name.StartsWith("T:k8s.Models.", StringComparison.Ordinal) || name.StartsWith("P:k8s.Models.", StringComparison.Ordinal)))
            {
                continue;
            }
            using var member = reader.ReadSubtree();
            if (member.ReadToFollowing("summary") && Normalize(member.ReadElementContentAsString()) is { Length: > 0 } text)
            {
                summaries[name] = text;
            }
        }
        return summaries;
    }

    /// <summary>Undoes the XML's line wrapping: lines of a paragraph joined by spaces, paragraphs by a blank line.</summary>
    private static string Normalize(string summary)
    {
        var text = new StringBuilder();
        var blank = false;
        foreach (var line in summary.Split('\n').Select(l => l.Trim()))
        {
            if (line.Length == 0)
            {
                blank = text.Length > 0;
                continue;
            }
            text.Append(text.Length == 0 ? "" : blank ? "\n\n" : " ").Append(line);
            blank = false;
        }
        return text.ToString();
    }
}
