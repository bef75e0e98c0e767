using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>
/// A cluster's updates: UpdateClusterVersion, and the history DescribeUpdate and ListUpdates read, which
/// UpdateClusterConfig's updates join. Berth's control plane serves the same API at every version it offers, so a
/// version update is applied at once and recorded as Successful; node groups keep their own version, as in EKS.
/// </summary>
internal sealed class ClusterUpdates(EksClusters clusters, ClusterOperations operations, TimeProvider time)
{
    /// <summary>The most recent updates a cluster keeps.</summary>
    private const int Kept = 100;

    public async Task<JsonObject> UpdateVersionAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await operations.GetAsync(request, input, cancellationToken);
        var version = Text(input, "version") ?? throw EksInput.Invalid("version can't be null or empty.");
        if (cluster.Status != "ACTIVE")
        {
            throw new AwsException("ResourceInUseException", $"Cluster {cluster.Name} is currently {cluster.Status}; updates are accepted only while it is ACTIVE.", 409);
        }
        if (!EksInput.Versions.Contains(version) || Minor(version) != Minor(cluster.Version) + 1)
        {
            throw EksInput.Invalid($"Unsupported Kubernetes minor version update from {cluster.Version} to {version}");
        }
        var update = await RecordAsync(cluster, "VersionUpdate", [new JsonObject { ["type"] = "Version", ["value"] = version },
            new JsonObject { ["type"] = "PlatformVersion", ["value"] = "eks.1" }], c => c with { Version = version }, cancellationToken);
        return new JsonObject { ["update"] = update };
    }

    /// <summary>UpdateClusterConfig: logging, endpoint access and the authentication mode, applied at once, as a Successful update.</summary>
    public async Task<JsonObject> UpdateConfigAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await operations.GetAsync(request, input, cancellationToken);
        if (cluster.Status != "ACTIVE")
        {
            throw new AwsException("ResourceInUseException", $"Cluster {cluster.Name} is currently {cluster.Status}; updates are accepted only while it is ACTIVE.", 409);
        }
        var parameters = new JsonArray();
        string type;
        Func<EksCluster, EksCluster> change;
        if (input["logging"] is not null)
        {
            var logging = EksInput.Structure(input, "logging");
            change = c => c with { Logging = logging };
            type = "LoggingUpdate";
            parameters.Add(new JsonObject { ["type"] = "ClusterLogging", ["value"] = logging.ToJsonString() });
        }
        else if (input["resourcesVpcConfig"] is not null)
        {
            var vpc = EksInput.Structure(input, "resourcesVpcConfig");
            change = c =>
            {
                var merged = (JsonObject)c.ResourcesVpcConfig.DeepClone();
                foreach (var (key, value) in vpc)
                {
                    merged[key] = value?.DeepClone();
                }
                return c with { ResourcesVpcConfig = merged };
            };
            type = "EndpointAccessUpdate";
            foreach (var (key, value) in vpc)
            {
                parameters.Add(new JsonObject { ["type"] = char.ToUpperInvariant(key[0]) + key[1..], ["value"] = value?.ToJsonString() ?? "" });
            }
        }
        else if (input["accessConfig"] is not null)
        {
            var mode = ClusterOperations.AuthenticationMode(EksInput.Structure(input, "accessConfig")["authenticationMode"]?.GetValue<string>()
                ?? throw EksInput.Invalid("accessConfig.authenticationMode can't be null."));
            var from = AccessEntries.AuthenticationMode(cluster);
            if (mode == from || from == "API" || (from == "API_AND_CONFIG_MAP" && mode == "CONFIG_MAP"))
            {
                throw EksInput.Invalid($"Unsupported authentication mode update from {from} to {mode}"); // EKS moves only towards API
            }
            change = c => c with
            {
                AccessConfig = new JsonObject
                {
                    ["bootstrapClusterCreatorAdminPermissions"] = c.AccessConfig["bootstrapClusterCreatorAdminPermissions"]?.DeepClone(),
                    ["authenticationMode"] = mode,
                },
            };
            type = "AccessConfigUpdate";
            parameters.Add(new JsonObject { ["type"] = "AuthenticationMode", ["value"] = mode });
        }
        else
        {
            throw EksInput.Invalid("No changes needed for the logging config provided");
        }
        return new JsonObject { ["update"] = await RecordAsync(cluster, type, parameters, change, cancellationToken) };
    }

    public async Task<JsonObject> DescribeAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await operations.GetAsync(request, input, cancellationToken);
        var id = Text(input, "updateId");
        var update = Text(input, "nodegroupName") is null && Text(input, "addonName") is null
            ? cluster.Updates.OfType<JsonObject>().FirstOrDefault(u => u["id"]?.GetValue<string>() == id)
            : null;
        return update is null
            ? throw new AwsException("ResourceNotFoundException", $"No update found for ID: {id}", 404)
            : new JsonObject { ["update"] = update.DeepClone() };
    }

    public async Task<JsonObject> ListAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await operations.GetAsync(request, input, cancellationToken);
        var ids = Text(input, "nodegroupName") is null && Text(input, "addonName") is null
            ? cluster.Updates.OfType<JsonObject>().Select(u => u["id"]!.GetValue<string>()).ToList()
            : [];
        return EksInput.Page(input, ids, "updateIds");
    }

    /// <summary>Applies <paramref name="change"/> and records it as a Successful update of <paramref name="type"/>, in one write.</summary>
    public async Task<JsonObject> RecordAsync(EksCluster cluster, string type, JsonArray parameters, Func<EksCluster, EksCluster> change, CancellationToken cancellationToken)
    {
        var update = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["status"] = "Successful",
            ["type"] = type,
            ["params"] = parameters,
            ["createdAt"] = Timestamp(time.GetUtcNow()),
            ["errors"] = new JsonArray(),
        };
        await clusters.UpdateAsync(cluster, c => change(c) with { Updates = new JsonArray([.. c.Updates.TakeLast(Kept - 1).Select(u => u?.DeepClone()), update.DeepClone()]) },
            cancellationToken);
        return update;
    }

    private static int Minor(string version) => int.Parse(version.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
}
