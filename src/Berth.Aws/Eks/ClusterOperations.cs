using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using Berth.Kube.Clusters;
using Berth.Kube.Hosting;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>
/// EKS's cluster operations. A cluster is made CREATING with the Kubernetes cluster it drives asked for at once (the
/// control plane's record, of the same name, which must be free in the whole installation); the cluster controller
/// marks it ACTIVE once that cluster serves. Deleting marks it DELETING; the controller takes the Kubernetes cluster
/// down and then removes it.
/// </summary>
internal sealed class ClusterOperations(EksClusters clusters, Nodegroups nodegroups, FargateProfiles fargateProfiles,
    ClusterRecords kubeClusters, ClusterEndpoints endpoints, TimeProvider time)
{
    public async Task<JsonObject> CreateAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = EksInput.Name(input, "name");
        var roleArn = Text(input, "roleArn") ?? throw EksInput.Invalid("roleArn can't be null or empty.");
        if (!roleArn.StartsWith("arn:aws:iam::", StringComparison.Ordinal) || !roleArn.Contains(":role/", StringComparison.Ordinal))
        {
            throw EksInput.Invalid($"The role ARN '{roleArn}' is not a valid IAM role ARN.");
        }
        if (input["resourcesVpcConfig"] is null)
        {
            throw EksInput.Invalid("resourcesVpcConfig can't be null.");
        }
        var uid = Guid.NewGuid(); // the Kubernetes cluster's uid, and as hex the OIDC issuer's id
        var accessConfig = EksInput.Structure(input, "accessConfig");
        var cluster = new EksCluster
        {
            AccountId = request.Caller.AccountId,
            Region = request.Region,
            Name = name,
            CreatedAt = time.GetUtcNow(),
            Version = EksInput.Version(input),
            RoleArn = roleArn,
            Status = "CREATING",
            Creator = request.Caller.PrincipalArn,
            OidcId = uid.ToString("N").ToUpperInvariant(),
            ClientRequestToken = Text(input, "clientRequestToken"),
            ResourcesVpcConfig = VpcConfig(EksInput.Structure(input, "resourcesVpcConfig")),
            KubernetesNetworkConfig = NetworkConfig(EksInput.Structure(input, "kubernetesNetworkConfig")),
            Logging = input["logging"] is null ? DefaultLogging() : EksInput.Structure(input, "logging"),
            EncryptionConfig = input["encryptionConfig"] switch
            {
                null => null,
                JsonArray list => (JsonArray)list.DeepClone(),
                _ => throw new AwsException("SerializationException", "'encryptionConfig' must be a list of structures"),
            },
            AccessConfig = new JsonObject
            {
                ["bootstrapClusterCreatorAdminPermissions"] = accessConfig["bootstrapClusterCreatorAdminPermissions"]?.DeepClone() ?? true,
                ["authenticationMode"] = AuthenticationMode(accessConfig["authenticationMode"]?.GetValue<string>() ?? "API_AND_CONFIG_MAP"),
            },
            Tags = EksInput.Tags(input),
        };
        try
        {
            await clusters.CreateAsync(cluster, cancellationToken);
        }
        catch (AwsException e) when (e.Code == "ResourceInUseException" && cluster.ClientRequestToken is not null)
        {
            // the same request again (a client's retry) gets the same answer, as EKS's idempotency token gives
            if (await clusters.FindAsync(cluster.AccountId, cluster.Region, name, cancellationToken) is { } existing
                && existing.ClientRequestToken == cluster.ClientRequestToken)
            {
                return new JsonObject { ["cluster"] = Describe(existing) };
            }
            throw;
        }
        if (!await kubeClusters.TryCreateAsync(name, Admins(cluster), uid.ToString(), cancellationToken)
            && (await kubeClusters.GetAsync(name, cancellationToken))?.Uid != uid.ToString()) // the controller may have asked first
        {
            // the name serves another account's or region's cluster: Kubernetes clusters are named once per installation
            await clusters.DeleteAsync(cluster, cancellationToken);
            throw EksClusters.AlreadyExists(name);
        }
        return new JsonObject { ["cluster"] = Describe(cluster) };
    }

    /// <summary>The cluster an operation names in its path (<c>name</c>, the node group and profile operations' <c>clusterName</c>).</summary>
    public Task<EksCluster> GetAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken) =>
        clusters.GetAsync(request.Caller.AccountId, request.Region, EksInput.Name(input, input["clusterName"] is null ? "name" : "clusterName"), cancellationToken);

    public async Task<JsonObject> DescribeAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken) =>
        new() { ["cluster"] = Describe(await clusters.GetAsync(request.Caller.AccountId, request.Region, EksInput.Name(input, "name"), cancellationToken)) };

    public async Task<JsonObject> ListAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var all = await clusters.ListAsync(request.Caller.AccountId, request.Region, cancellationToken);
        return EksInput.Page(input, [.. all.Select(c => c.Name)], "clusters");
    }

    public async Task<JsonObject> DeleteAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request.Caller.AccountId, request.Region, EksInput.Name(input, "name"), cancellationToken);
        if ((await nodegroups.ListAsync(cluster, cancellationToken)).Count > 0)
        {
            throw new AwsException("ResourceInUseException", "Cluster has nodegroups attached", 409);
        }
        if ((await fargateProfiles.ListAsync(cluster, cancellationToken)).Count > 0)
        {
            throw new AwsException("ResourceInUseException", "Cluster has Fargate profiles attached", 409);
        }
        var deleting = await clusters.UpdateAsync(cluster, c => c with { Status = "DELETING" }, cancellationToken);
        return new JsonObject { ["cluster"] = Describe(deleting) };
    }

    /// <summary>The cluster as DescribeCluster shows it; the endpoint and CA appear once the cluster is ACTIVE, as in EKS.</summary>
    public JsonObject Describe(EksCluster cluster)
    {
        var description = new JsonObject
        {
            ["name"] = cluster.Name,
            ["arn"] = cluster.Arn,
            ["createdAt"] = Timestamp(cluster.CreatedAt),
            ["version"] = cluster.Version,
            ["roleArn"] = cluster.RoleArn,
            ["resourcesVpcConfig"] = cluster.ResourcesVpcConfig.DeepClone(),
            ["kubernetesNetworkConfig"] = cluster.KubernetesNetworkConfig.DeepClone(),
            ["logging"] = cluster.Logging.DeepClone(),
            ["status"] = cluster.Status,
            ["platformVersion"] = "eks.1",
            ["tags"] = EksTagging.Map(cluster.Tags),
            ["accessConfig"] = cluster.AccessConfig.DeepClone(),
            ["health"] = new JsonObject { ["issues"] = new JsonArray() },
        };
        if (cluster.ClientRequestToken is { } token)
        {
            description["clientRequestToken"] = token;
        }
        if (cluster.EncryptionConfig is { } encryption)
        {
            description["encryptionConfig"] = encryption.DeepClone();
        }
        if (cluster.Status is "ACTIVE" or "UPDATING" && endpoints.Of(cluster.Name) is { } endpoint)
        {
            description["endpoint"] = endpoint.ToString();
            description["certificateAuthority"] = new JsonObject { ["data"] = endpoints.CertificateAuthorityData };
            description["identity"] = new JsonObject { ["oidc"] = new JsonObject { ["issuer"] = OidcIssuer(endpoint) } };
        }
        else
        {
            description["certificateAuthority"] = new JsonObject();
        }
        return description;
    }

    /// <summary>The cluster's service-account token issuer: its API's URL, where the discovery document is served.</summary>
    public static string OidcIssuer(Uri endpoint) => endpoint.ToString();

    internal static string AuthenticationMode(string mode) => mode is "API" or "API_AND_CONFIG_MAP" or "CONFIG_MAP"
        ? mode
        : throw EksInput.Invalid($"authenticationMode must be API, API_AND_CONFIG_MAP or CONFIG_MAP, not {mode}.");

    /// <summary>Who administers the Kubernetes cluster from the start: the creator, unless the request said not to.</summary>
    public static IReadOnlyList<string> Admins(EksCluster cluster) =>
        cluster.AccessConfig["bootstrapClusterCreatorAdminPermissions"]?.GetValue<bool>() == false ? [] : [cluster.Creator];

    private static JsonObject VpcConfig(JsonObject given)
    {
        given["endpointPublicAccess"] ??= true;
        given["endpointPrivateAccess"] ??= false;
        given["publicAccessCidrs"] ??= new JsonArray("0.0.0.0/0");
        given["subnetIds"] ??= new JsonArray();
        given["securityGroupIds"] ??= new JsonArray();
        return given;
    }

    private static JsonObject NetworkConfig(JsonObject given)
    {
        given["serviceIpv4Cidr"] ??= ClusterNetwork.ServiceCidr;
        given["ipFamily"] ??= "ipv4";
        // the served clusters share one service range, IPv4
        return given["serviceIpv4Cidr"]?.GetValue<string>() != ClusterNetwork.ServiceCidr
            ? throw EksInput.Invalid($"kubernetesNetworkConfig.serviceIpv4Cidr must be {ClusterNetwork.ServiceCidr}: it is the service range of every Berth cluster.")
            : given["ipFamily"]?.GetValue<string>() != "ipv4"
                ? throw EksInput.Invalid("kubernetesNetworkConfig.ipFamily must be ipv4: Berth clusters do not serve IPv6.")
                : given;
    }

    private static JsonObject DefaultLogging() => new()
    {
        ["clusterLogging"] = new JsonArray(new JsonObject
        {
            ["types"] = new JsonArray("api", "audit", "authenticator", "controllerManager", "scheduler"),
            ["enabled"] = false,
        }),
    };
}
