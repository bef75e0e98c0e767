using System.Text.Json;

namespace Berth.Tests.Aws;

/// <summary>ECR's whole image workflow with the stock clients: podman, skopeo, the AWS CLI and boto3.</summary>
public sealed class EcrImageTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task SucceedAsync(Task<(int ExitCode, string Output)> run)
    {
        var (exitCode, output) = await run;
        Assert.True(exitCode == 0, output);
    }

    private static List<string> Tags(JsonElement listImages) =>
        listImages.GetProperty("imageIds").EnumerateArray().Where(i => i.TryGetProperty("imageTag", out _))
            .Select(i => i.GetProperty("imageTag").GetString()!).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task PushInspectCopyPullDescribeDeleteExpire_WithPodmanSkopeoAndTheAwsCli()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var aws = new AwsCli(address, _data.Path);
        var registry = address.Authority;
        var client = await RegistryClient.CreateAsync(_data.Path);
        foreach (var name in new[] { "web", "mirror" })
        {
            await aws.SucceedAsync("ecr", "create-repository", "--repository-name", name);
        }
        await aws.SucceedAsync("ecr", "create-repository", "--repository-name", "pinned", "--image-tag-mutability", "IMMUTABLE");
        var (_, password, _) = await aws.RunAsync("ecr", "get-login-password");
        await SucceedAsync(client.LoginAsync(address, password.Trim()));

        // three images: one busybox build, and two that differ from it only in a label (so in their config and digest)
        var context = await BusyboxImage.WriteContextAsync(_data.Path, Ct);
        var tag = $"ecr-e2e-{Guid.NewGuid():N}";
        for (var version = 1; version <= 3; version++)
        {
            await SucceedAsync(client.PodmanAsync("build", "-q", "--label", $"variant={tag}-{version}", "-t", $"{registry}/web:v{version}", context));
            await SucceedAsync(client.PodmanRegistryAsync("push", $"{registry}/web:v{version}"));
        }

        var inspected = await client.SkopeoAsync("inspect", ["--tls-verify=false"], $"docker://{registry}/web:v1");
        Assert.True(inspected.ExitCode == 0, inspected.Output);
        var v1Digest = JsonDocument.Parse(inspected.Output).RootElement.GetProperty("Digest").GetString();
        var listed = await client.SkopeoAsync("list-tags", ["--tls-verify=false"], $"docker://{registry}/web");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Equal(["v1", "v2", "v3"], JsonDocument.Parse(listed.Output).RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));

        // a copy between repositories mounts the blobs instead of sending them again
        await SucceedAsync(client.SkopeoAsync("copy", ["--src-tls-verify=false", "--dest-tls-verify=false"], $"docker://{registry}/web:v1", $"docker://{registry}/mirror:v1"));
        var storage = Path.Combine(_data.Path, "clean-storage");
        await SucceedAsync(client.PodmanAsync("--root", Path.Combine(storage, "root"), "--runroot", Path.Combine(storage, "run"),
            "pull", "--tls-verify=false", "--authfile", Path.Combine(_data.Path, "auth.json"), $"{registry}/mirror:v1"));
        var pulled = await client.PodmanAsync("--root", Path.Combine(storage, "root"), "--runroot", Path.Combine(storage, "run"), "images", "--format", "{{.Repository}}:{{.Tag}}");
        Assert.Contains($"{registry}/mirror:v1", pulled.Output, StringComparison.Ordinal);

        var described = await aws.SucceedAsync("ecr", "describe-images", "--repository-name", "web");
        var details = described.GetProperty("imageDetails").EnumerateArray().ToList();
        Assert.Equal(3, details.Count);
        var first = details.Single(d => d.GetProperty("imageTags").EnumerateArray().Any(t => t.GetString() == "v1"));
        Assert.Equal(v1Digest, first.GetProperty("imageDigest").GetString());
        Assert.True(first.GetProperty("imageSizeInBytes").GetInt64() > 500_000);
        Assert.StartsWith("application/vnd.", first.GetProperty("imageManifestMediaType").GetString(), StringComparison.Ordinal);
        Assert.Equal(["v1", "v2", "v3"], Tags(await aws.SucceedAsync("ecr", "list-images", "--repository-name", "web")));

        var deleted = await aws.SucceedAsync("ecr", "batch-delete-image", "--repository-name", "web", "--image-ids", "imageTag=v3", "imageTag=nope");
        Assert.Equal("v3", deleted.GetProperty("imageIds")[0].GetProperty("imageTag").GetString());
        Assert.Equal("ImageNotFound", deleted.GetProperty("failures")[0].GetProperty("failureCode").GetString());
        Assert.Equal(["v1", "v2"], Tags(await aws.SucceedAsync("ecr", "list-images", "--repository-name", "web")));

        // an immutable repository keeps a tag on the image first pushed under it
        await SucceedAsync(client.PodmanAsync("tag", $"{registry}/web:v1", $"{registry}/pinned:v1"));
        await SucceedAsync(client.PodmanRegistryAsync("push", $"{registry}/pinned:v1"));
        await SucceedAsync(client.PodmanAsync("tag", $"{registry}/web:v2", $"{registry}/pinned:v1"));
        var overwrite = await client.PodmanRegistryAsync("push", $"{registry}/pinned:v1");
        Assert.NotEqual(0, overwrite.ExitCode);
        Assert.Contains("cannot be overwritten because the repository is immutable", overwrite.Output, StringComparison.Ordinal);

        // a lifecycle policy keeping one image expires the older one
        var policy = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""";
        await aws.SucceedAsync("ecr", "put-lifecycle-policy", "--repository-name", "web", "--lifecycle-policy-text", policy);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        List<string> remaining;
        while ((remaining = Tags(await aws.SucceedAsync("ecr", "list-images", "--repository-name", "web"))).Count > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }
        Assert.Equal(["v2"], remaining);
        var stored = await aws.SucceedAsync("ecr", "get-lifecycle-policy", "--repository-name", "web");
        Assert.Equal(policy, stored.GetProperty("lifecyclePolicyText").GetString());

        var notEmpty = await aws.RunAsync("ecr", "delete-repository", "--repository-name", "web");
        Assert.Contains("(RepositoryNotEmptyException)", notEmpty.Errors, StringComparison.Ordinal);
        await aws.SucceedAsync("ecr", "delete-repository", "--repository-name", "web", "--force");
    }

    [Fact]
    public async Task TheImageApis_ThroughBoto3()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var script = Path.Combine(AppContext.BaseDirectory, "Aws", "ecr_with_boto3.py");
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(address.ToString());
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_data.Path, "aws-credentials");
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_data.Path, "no-aws-config");
        start.Environment["AWS_PROFILE"] = "berth";
        using var python = System.Diagnostics.Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync(Ct);
        var errors = python.StandardError.ReadToEndAsync(Ct);
        await python.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct);
        Assert.True(python.ExitCode == 0, await output + await errors);
        Assert.Contains("all checks passed", await output, StringComparison.Ordinal);
    }
}
