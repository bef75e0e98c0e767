using System.Text;

namespace Berth.Tests.Kube;

/// <summary>Secrets are sealed in the store: their values appear nowhere in the database files, yet read back whole.</summary>
public sealed class SecretsAtRestTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private static readonly string[] s_databaseFiles = ["berth.db", "berth.db-wal"];

    [Fact]
    public async Task SecretValues_AreNotInTheDatabaseFiles()
    {
        const string password = "correct-horse-battery-staple";
        await fixture.Kubectl.CreateAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: sealed, namespace: default}
            stringData: {password: {{password}}}
            """);
        await fixture.Kubectl.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: open, namespace: default}\ndata: {note: plain-configmap-value}");

        var read = await fixture.Kubectl.SucceedAsync("get", "secret", "sealed", "-o", "jsonpath={.data.password}");
        var files = s_databaseFiles.Select(n => Path.Combine(fixture.DataDirectory, n)).Where(File.Exists)
            .Select(f => Encoding.Latin1.GetString(ReadShared(f))).ToList();

        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)), read);
        Assert.DoesNotContain(files, f => f.Contains(password, StringComparison.Ordinal) || f.Contains(read, StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains("plain-configmap-value", StringComparison.Ordinal)); // the check can see what is there
    }

    /// <summary>Reads a file the running server holds open.</summary>
    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
