namespace Berth.Kube.Authentication;

/// <summary>
/// Who made a request: the user name and groups the authenticator found, and the roles its identity provider grants
/// beside RBAC (EKS access policies), which the authorizer honours as it honours bindings.
/// </summary>
internal sealed record KubeUser(string Name, IReadOnlyList<string> Groups, IReadOnlyList<AccessGrant>? Grants = null);
