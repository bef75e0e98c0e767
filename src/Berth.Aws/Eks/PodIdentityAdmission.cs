using System.Text.Json.Nodes;
using Berth.Kube.Clusters;

namespace Berth.Aws.Eks;

/// <summary>
/// IAM roles for service accounts, as EKS's pod identity webhook does them: a new pod whose ServiceAccount is annotated
/// <c>eks.amazonaws.com/role-arn</c> gets a projected token for <c>sts.amazonaws.com</c> (or the account's
/// <c>eks.amazonaws.com/audience</c>) at <see cref="TokenDirectory"/>, and in every container the environment the AWS
/// SDKs read to call <c>AssumeRoleWithWebIdentity</c> with it. What a container sets itself is left alone.
/// </summary>
internal sealed class PodIdentityAdmission(ClusterControl control, EksClusters clusters) : IPodAdmission
{
    public const string RoleArnAnnotation = "eks.amazonaws.com/role-arn";
    public const string TokenDirectory = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
    private const string VolumeName = "aws-iam-token";
    private static readonly string[] s_containerLists = ["initContainers", "containers"];

    public async Task AdmitAsync(string cluster, JsonObject pod, CancellationToken cancellationToken)
    {
        if (pod["spec"] is not JsonObject spec || pod["metadata"]?["namespace"]?.GetValue<string>() is not { } ns)
        {
            return;
        }
        var accountName = spec["serviceAccountName"]?.GetValue<string>() is { Length: > 0 } named ? named : "default";
        if (await control.ServiceAccountAnnotationsAsync(cluster, ns, accountName, cancellationToken) is not { } annotations
            || annotations.GetValueOrDefault(RoleArnAnnotation) is not { Length: > 0 } roleArn
            || (await clusters.ListAllAsync(cancellationToken)).FirstOrDefault(c => c.Name == cluster) is not { } owner)
        {
            return;
        }
        var expiration = long.TryParse(annotations.GetValueOrDefault("eks.amazonaws.com/token-expiration"), out var seconds) && seconds >= 600 ? seconds : 86400;
        var volumes = spec["volumes"] as JsonArray ?? (JsonArray)(spec["volumes"] = new JsonArray());
        if (volumes.OfType<JsonObject>().All(v => v["name"]?.GetValue<string>() != VolumeName))
        {
            volumes.Add(new JsonObject
            {
                ["name"] = VolumeName,
                ["projected"] = new JsonObject
                {
                    ["defaultMode"] = 420,
                    ["sources"] = new JsonArray(new JsonObject
                    {
                        ["serviceAccountToken"] = new JsonObject
                        {
                            ["audience"] = annotations.GetValueOrDefault("eks.amazonaws.com/audience") ?? "sts.amazonaws.com",
                            ["expirationSeconds"] = expiration,
                            ["path"] = "token",
                        },
                    }),
                },
            });
        }
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ROLE_ARN"] = roleArn,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = TokenDirectory + "/token",
            ["AWS_STS_REGIONAL_ENDPOINTS"] = "regional",
            ["AWS_DEFAULT_REGION"] = owner.Region,
            ["AWS_REGION"] = owner.Region,
        };
        foreach (var container in s_containerLists.SelectMany(list => (spec[list] as JsonArray ?? []).OfType<JsonObject>()))
        {
            var env = container["env"] as JsonArray ?? (JsonArray)(container["env"] = new JsonArray());
            foreach (var (name, value) in environment)
            {
                if (env.OfType<JsonObject>().All(e => e["name"]?.GetValue<string>() != name))
                {
                    env.Add(new JsonObject { ["name"] = name, ["value"] = value });
                }
            }
            var mounts = container["volumeMounts"] as JsonArray ?? (JsonArray)(container["volumeMounts"] = new JsonArray());
            if (mounts.OfType<JsonObject>().All(m => m["name"]?.GetValue<string>() != VolumeName))
            {
                mounts.Add(new JsonObject { ["name"] = VolumeName, ["mountPath"] = TokenDirectory, ["readOnly"] = true });
            }
        }
    }
}
