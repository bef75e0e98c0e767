using YamlDotNet.RepresentationModel;

namespace Berth.Client.Kube;

/// <summary>A cluster's entry for kubectl: its server and CA, and a user whose token <c>aws eks get-token</c> makes.</summary>
public sealed record KubeconfigEntry(string ContextName, string Server, string CertificateAuthorityData, string ClusterName, string Region,
    IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Adds a cluster to a kubeconfig file the way <c>eksctl utils write-kubeconfig</c> does: a cluster, a user and a
/// context of one name, replacing entries of that name and leaving every other one (and every other field) as it was.
/// </summary>
public static class KubeconfigFile
{
    /// <summary>The file kubectl reads: <c>--kubeconfig</c>, else the first of <c>$KUBECONFIG</c>, else <c>~/.kube/config</c>.</summary>
    public static string Resolve(string? flag) =>
        flag is { Length: > 0 } ? Path.GetFullPath(flag)
        : Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list ? Path.GetFullPath(list.Split(Path.PathSeparator)[0])
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");

    public static void Write(string path, KubeconfigEntry entry, bool setCurrentContext)
    {
        var root = Load(path);
        Upsert(root, "clusters", entry.ContextName, "cluster", Mapping(("server", entry.Server), ("certificate-authority-data", entry.CertificateAuthorityData)));
        var exec = Mapping(
            ("apiVersion", "client.authentication.k8s.io/v1beta1"),
            ("command", "aws"),
            ("interactiveMode", "IfAvailable"),
            ("provideClusterInfo", "false"));
        exec.Add("args", new YamlSequenceNode(new[] { "eks", "get-token", "--output", "json", "--cluster-name", entry.ClusterName, "--region", entry.Region }
            .Select(a => (YamlNode)new YamlScalarNode(a))));
        if (entry.Environment.Count > 0)
        {
            exec.Add("env", new YamlSequenceNode(entry.Environment.Select(e => (YamlNode)Mapping(("name", e.Key), ("value", e.Value)))));
        }
        Upsert(root, "users", entry.ContextName, "user", new YamlMappingNode { { "exec", exec } });
        Upsert(root, "contexts", entry.ContextName, "context", Mapping(("cluster", entry.ContextName), ("user", entry.ContextName)));
        if (setCurrentContext || !root.Children.ContainsKey(new YamlScalarNode("current-context")))
        {
            root.Children[new YamlScalarNode("current-context")] = new YamlScalarNode(entry.ContextName);
        }
        Save(path, root);
    }

    /// <summary>Removes the entries of <paramref name="contextName"/>; the current context is cleared when it was theirs.</summary>
    public static bool Remove(string path, string contextName)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        var root = Load(path);
        var removed = false;
        foreach (var list in new[] { "clusters", "users", "contexts" })
        {
            if (root.Children.TryGetValue(new YamlScalarNode(list), out var node) && node is YamlSequenceNode sequence
                && sequence.Children.FirstOrDefault(e => NameOf(e) == contextName) is { } entry)
            {
                removed |= sequence.Children.Remove(entry);
            }
        }
        if (root.Children.TryGetValue(new YamlScalarNode("current-context"), out var current) && current is YamlScalarNode { Value: var name } && name == contextName)
        {
            root.Children[new YamlScalarNode("current-context")] = new YamlScalarNode("");
        }
        if (removed)
        {
            Save(path, root);
        }
        return removed;
    }

    private static YamlMappingNode Load(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path) is { Length: > 0 } text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.FirstOrDefault()?.RootNode is YamlMappingNode existing)
            {
                return existing;
            }
        }
        return new YamlMappingNode
        {
            { "apiVersion", "v1" }, { "kind", "Config" }, { "preferences", new YamlMappingNode() },
            { "clusters", new YamlSequenceNode() }, { "users", new YamlSequenceNode() }, { "contexts", new YamlSequenceNode() },
        };
    }

    private static void Save(string path, YamlMappingNode root)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // it names credentials' sources
        }
        using (var file = new StreamWriter(temporary, options))
        {
            file.Write(text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static void Upsert(YamlMappingNode root, string list, string name, string member, YamlMappingNode value)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode sequence)
        {
            sequence = [];
            root.Children[new YamlScalarNode(list)] = sequence;
        }
        var entry = new YamlMappingNode { { "name", name }, { member, value } };
        var index = sequence.Children.ToList().FindIndex(e => NameOf(e) == name);
        if (index >= 0)
        {
            sequence.Children[index] = entry;
        }
        else
        {
            sequence.Add(entry);
        }
    }

    private static string? NameOf(YamlNode entry) =>
        entry is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("name"), out var name) ? (name as YamlScalarNode)?.Value : null;

    private static YamlMappingNode Mapping(params (string Key, string Value)[] pairs)
    {
        var mapping = new YamlMappingNode();
        foreach (var (key, value) in pairs)
        {
            mapping.Add(key, value);
        }
        return mapping;
    }
}
