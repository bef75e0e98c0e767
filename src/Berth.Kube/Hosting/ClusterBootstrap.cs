using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Authorization;
using Berth.Kube.Controllers.Storage;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Resources.Scheduling;

namespace Berth.Kube.Hosting;

/// <summary>
/// Creates what every Kubernetes cluster starts with, where it is missing: the system namespaces, the default RBAC
/// roles and bindings, the built-in priority classes, the default StorageClass (<c>local-path</c>), and the
/// <c>kubernetes</c> Service in <c>default</c>, at the first address of the service range, and the cluster DNS
/// Service <c>kube-dns</c> in <c>kube-system</c> at the tenth, as EKS makes it (the node agents answer it while no
/// pod of its selector does).
/// </summary>
internal sealed class ClusterBootstrap(ResourceHandler resources, ResourceRegistry registry, string cluster)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var name in NamespaceStrategy.SystemNamespaces)
        {
            await EnsureAsync(namespaces, null, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = name },
            }, cancellationToken);
        }
        foreach (var role in BootstrapPolicy.ClusterRoles())
        {
            await EnsureAsync(registry.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!, null, role, cancellationToken);
        }
        foreach (var binding in BootstrapPolicy.ClusterRoleBindings())
        {
            await EnsureAsync(registry.Find("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!, null, binding, cancellationToken);
        }
        foreach (var (name, value, description) in PriorityClassStrategy.SystemClasses)
        {
            await EnsureAsync(registry.Find("scheduling.k8s.io", "v1", "priorityclasses")!, null, new JsonObject
            {
                ["apiVersion"] = "scheduling.k8s.io/v1",
                ["kind"] = "PriorityClass",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["value"] = value,
                ["description"] = description,
            }, cancellationToken);
        }
        await EnsureAsync(registry.Find("storage.k8s.io", "v1", "storageclasses")!, null, LocalPathVolumes.DefaultStorageClass(), cancellationToken);
        await EnsureAsync(registry.Find("", "v1", "services")!, "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = ServiceAllocator.KubernetesServiceIp.ToString(),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 443 }),
            },
        }, cancellationToken);
        await EnsureAsync(registry.Find("", "v1", "services")!, "kube-system", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = "kube-dns",
                ["labels"] = new JsonObject
                {
                    ["eks.amazonaws.com/component"] = "kube-dns",
                    ["k8s-app"] = "kube-dns",
                    ["kubernetes.io/cluster-service"] = "true",
                    ["kubernetes.io/name"] = "CoreDNS",
                },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = Clusters.ClusterNetwork.DnsServiceIp,
                ["selector"] = new JsonObject { ["k8s-app"] = "kube-dns" },
                ["ports"] = new JsonArray(
                    new JsonObject { ["name"] = "dns", ["port"] = 53, ["protocol"] = "UDP", ["targetPort"] = 53 },
                    new JsonObject { ["name"] = "dns-tcp", ["port"] = 53, ["protocol"] = "TCP", ["targetPort"] = 53 }),
            },
        }, cancellationToken);
    }

    private async Task EnsureAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken cancellationToken)
    {
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        if (await resources.GetObjectAsync(cluster, type, ns, name, cancellationToken) is not null)
        {
            return;
        }
        try
        {
            await resources.CreateObjectAsync(cluster, type, ns, obj, FieldOwner.ApiServer, dryRun: false, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "AlreadyExists")
        {
            // made meanwhile by someone else
        }
    }
}
