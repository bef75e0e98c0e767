using Berth.Client.Kube;
using YamlDotNet.RepresentationModel;

namespace Berth.Client.Tests.Kube;

public sealed class KubeconfigFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static KubeconfigEntry Entry(string context, string server = "https://127.0.0.1:6443/clusters/demo") =>
        new(context, server, "Q0E=", "demo", "us-east-1", new Dictionary<string, string> { ["AWS_PROFILE"] = "berth" });

    [Fact]
    public void Write_AddsClusterUserAndContext_KeepingEveryOtherEntryAndField()
    {
        var path = _directory.File("config");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: other
              cluster: {server: "https://example.invalid", insecure-skip-tls-verify: true}
            users:
            - name: other
              user: {token: abc}
            contexts:
            - name: other
              context: {cluster: other, user: other, namespace: team}
            current-context: other
            """);
        KubeconfigFile.Write(path, Entry("me@demo.us-east-1.eksctl.io"), setCurrentContext: true);
        KubeconfigFile.Write(path, Entry("me@demo.us-east-1.eksctl.io", "https://127.0.0.1:7443/clusters/demo"), setCurrentContext: true);

        var root = Load(path);
        Assert.Equal("me@demo.us-east-1.eksctl.io", ((YamlScalarNode)root["current-context"]).Value);
        var clusters = (YamlSequenceNode)root["clusters"];
        Assert.Equal(2, clusters.Children.Count); // written twice, kept once
        Assert.Contains("insecure-skip-tls-verify: true", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Contains("namespace: team", File.ReadAllText(path), StringComparison.Ordinal);
        var exec = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)root["users"]).Children[1])["user"])["exec"];
        Assert.Equal("aws", ((YamlScalarNode)exec["command"]).Value);
        Assert.Equal(["eks", "get-token", "--output", "json", "--cluster-name", "demo", "--region", "us-east-1"],
            ((YamlSequenceNode)exec["args"]).Children.Select(a => ((YamlScalarNode)a).Value));
        Assert.Contains("https://127.0.0.1:7443/clusters/demo", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Remove_TakesOutTheEntriesAndClearsTheirCurrentContext()
    {
        var path = _directory.File("new/config");
        KubeconfigFile.Write(path, Entry("a"), setCurrentContext: true);
        KubeconfigFile.Write(path, Entry("b"), setCurrentContext: false);
        Assert.Equal("a", ((YamlScalarNode)Load(path)["current-context"]).Value);
        Assert.True(KubeconfigFile.Remove(path, "a"));
        var root = Load(path);
        Assert.Equal("", ((YamlScalarNode)root["current-context"]).Value);
        Assert.Equal(["b"], ((YamlSequenceNode)root["contexts"]).Children.Select(c => ((YamlScalarNode)((YamlMappingNode)c)["name"]).Value));
        Assert.False(KubeconfigFile.Remove(path, "a"));
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
