using System.Net;
using System.Text.Json.Nodes;
using Berth.Client.Config;
using Berth.Client.Kube;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Client.Clusters;

/// <summary>
/// IAM roles for service accounts (<c>create iamserviceaccount</c>, <c>iam.serviceAccounts</c>): a role trusting the
/// cluster's OIDC provider for that one service account, its policies, and the service account annotated with the
/// role (<c>eks.amazonaws.com/role-arn</c>), made in the cluster through its Kubernetes API.
/// </summary>
public sealed class ServiceAccountCreator(ClusterSession session)
{
    public const string RoleAnnotation = "eks.amazonaws.com/role-arn";

    /// <summary>Refuses managed policies IAM does not have, before anything is made.</summary>
    public async Task CheckAsync(IReadOnlyList<ServiceAccountConfig> accounts, CancellationToken cancellationToken)
    {
        foreach (var arn in accounts.SelectMany(a => a.AttachPolicyArns).Distinct(StringComparer.Ordinal))
        {
            if (!await session.Iam.PolicyExistsAsync(arn, cancellationToken))
            {
                throw new ClusterCommandException($"policy {arn} does not exist in IAM: create it (aws iam create-policy) or attach one IAM has");
            }
        }
    }

    public async Task CreateAsync(JsonObject cluster, IReadOnlyList<ServiceAccountConfig> accounts, bool overrideExisting, CancellationToken cancellationToken)
    {
        if (accounts.Count == 0)
        {
            return;
        }
        var name = cluster["name"]!.GetValue<string>();
        var provider = await new OidcProviders(session).FindAsync(cluster, cancellationToken)
            ?? throw new ClusterCommandException($"cluster \"{name}\" has no IAM OIDC provider: add one with --with-oidc (or iam.withOIDC: true)");
        using var kube = ClusterApi.Connect(cluster, session.EksSettings, session.Time.GetUtcNow());
        foreach (var account in accounts)
        {
            var roleArn = account.AttachRoleArn;
            if (roleArn is null)
            {
                var role = account.RoleName ?? ClusterRoles.ServiceAccountRole(name, account.Namespace, account.Name);
                var tags = new Dictionary<string, string>(account.Tags) { [ClusterRoles.ClusterTag] = name, [ClusterRoles.ServiceAccountTag] = $"{account.Namespace}/{account.Name}" };
                roleArn = await session.Iam.CreateRoleAsync(role, ClusterRoles.TrustingServiceAccount(provider, OidcProviders.HostPath(cluster), account.Namespace, account.Name),
                    tags, cancellationToken);
                foreach (var policy in account.AttachPolicyArns)
                {
                    await session.Iam.AttachRolePolicyAsync(role, policy, cancellationToken);
                }
                if (account.AttachPolicy is { } document)
                {
                    await session.Iam.PutRolePolicyAsync(role, "Policy1", document, cancellationToken);
                }
                session.Log.Info($"created IAM role \"{role}\" for service account \"{account.Namespace}/{account.Name}\"");
            }
            if (!account.RoleOnly)
            {
                await AnnotateAsync(kube, account, roleArn, overrideExisting, cancellationToken);
            }
        }
    }

    private async Task AnnotateAsync(Kubernetes kube, ServiceAccountConfig account, string roleArn, bool overrideExisting, CancellationToken cancellationToken)
    {
        try
        {
            await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = account.Namespace } }, cancellationToken: cancellationToken);
            session.Log.Info($"created namespace \"{account.Namespace}\"");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // it is there already
        }
        var annotations = new Dictionary<string, string>(account.Annotations) { [RoleAnnotation] = roleArn };
        var serviceAccount = new V1ServiceAccount
        {
            Metadata = new V1ObjectMeta { Name = account.Name, NamespaceProperty = account.Namespace, Labels = new Dictionary<string, string>(account.Labels), Annotations = annotations },
        };
        try
        {
            await kube.CoreV1.CreateNamespacedServiceAccountAsync(serviceAccount, account.Namespace, cancellationToken: cancellationToken);
            session.Log.Success($"created serviceaccount \"{account.Namespace}/{account.Name}\"");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            if (!overrideExisting)
            {
                session.Log.Warning($"serviceaccount \"{account.Namespace}/{account.Name}\" exists already and was left as it is (--override-existing-serviceaccounts annotates it)");
                return;
            }
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RoleAnnotation] = roleArn } } };
            await kube.CoreV1.PatchNamespacedServiceAccountAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), account.Name, account.Namespace,
                cancellationToken: cancellationToken);
            session.Log.Success($"annotated serviceaccount \"{account.Namespace}/{account.Name}\" with {roleArn}");
        }
    }
}
