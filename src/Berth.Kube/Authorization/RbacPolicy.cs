using System.Text.Json.Nodes;
using Berth.Kube.Controllers;

namespace Berth.Kube.Authorization;

/// <summary>
/// The cluster's RBAC objects, kept in memory by an informer so that authorizing a request reads no store:
/// Roles, ClusterRoles, RoleBindings and ClusterRoleBindings by namespace and name.
/// </summary>
internal sealed class RbacPolicy(SharedInformers informers, string cluster) : IController
{
    private const string Group = "rbac.authorization.k8s.io";

    private ObjectInformer? _informer;
    private readonly TaskCompletionSource<ObjectInformer> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "rbac-policy";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _informer = informers.Watch($"/k8s/{cluster}/{Group}/", _ => { });
        _started.TrySetResult(_informer);
        return _informer.RunAsync(cancellationToken);
    }

    /// <summary>Waits until the policy has been read once.</summary>
    public async Task WaitSyncedAsync(CancellationToken cancellationToken)
    {
        var informer = await _started.Task.WaitAsync(cancellationToken);
        await informer.Synced.WaitAsync(cancellationToken);
    }

    public IEnumerable<JsonObject> ClusterRoleBindings => Under("clusterrolebindings/");

    public IEnumerable<JsonObject> RoleBindings(string ns) => Under($"rolebindings/{ns}/");

    public JsonObject? ClusterRole(string name) => _informer?.Get($"/k8s/{cluster}/{Group}/clusterroles/{name}");

    public JsonObject? Role(string ns, string name) => _informer?.Get($"/k8s/{cluster}/{Group}/roles/{ns}/{name}");

    private IEnumerable<JsonObject> Under(string path)
    {
        var prefix = $"/k8s/{cluster}/{Group}/{path}";
        return (_informer?.Objects ?? []).Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)
            && o.Key.IndexOf('/', prefix.Length) < 0).Select(o => o.Value);
    }
}
