namespace Berth.Kube.Authentication;

/// <summary>Who made a request: the user name and groups the authenticator found.</summary>
internal sealed record KubeUser(string Name, IReadOnlyList<string> Groups);
