using System.Text.Json.Nodes;
using Berth.Client.Clusters;
using Berth.Client.Kube;

namespace Berth.Client.Commands;

/// <summary>The kubeconfig entry eksctl writes for a cluster: <c>&lt;identity&gt;@&lt;cluster&gt;.&lt;region&gt;.eksctl.io</c>.</summary>
internal static class ClusterKubeconfig
{
    public static async Task<string> WriteAsync(ClusterSession session, JsonObject cluster, string? file, bool setContext, CancellationToken cancellationToken)
    {
        var settings = session.EksSettings;
        var (_, arn) = await session.Sts.GetCallerIdentityAsync(cancellationToken);
        var name = cluster["name"]!.GetValue<string>();
        var context = ContextName(arn, name, settings.Region);
        var path = KubeconfigFile.Resolve(file);
        KubeconfigFile.Write(path, new KubeconfigEntry(context, cluster["endpoint"]!.GetValue<string>(), cluster["certificateAuthority"]!["data"]!.GetValue<string>(),
            name, settings.Region, settings.ClientEnvironment), setContext);
        session.Log.Success($"saved kubeconfig as \"{path}\"");
        if (setContext)
        {
            session.Log.Info($"kubectl's current context is now \"{context}\"");
        }
        return context;
    }

    public static async Task RemoveAsync(ClusterSession session, string cluster, string? file, CancellationToken cancellationToken)
    {
        var (_, arn) = await session.Sts.GetCallerIdentityAsync(cancellationToken);
        var path = KubeconfigFile.Resolve(file);
        if (KubeconfigFile.Remove(path, ContextName(arn, cluster, session.EksSettings.Region)))
        {
            session.Log.Info($"removed cluster \"{cluster}\" from \"{path}\"");
        }
    }

    private static string ContextName(string callerArn, string cluster, string region)
    {
        var identity = callerArn.EndsWith(":root", StringComparison.Ordinal) ? "iam-root-account" : callerArn[(callerArn.LastIndexOf('/') + 1)..];
        return $"{identity}@{cluster}.{region}.eksctl.io";
    }
}
