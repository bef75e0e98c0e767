using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Berth.Agent.Client;
using k8s.Models;

namespace Berth.Agent.Server;

/// <summary>
/// Decides whether the sender of a request to the agent's endpoint may make it, as the kubelet's webhook
/// authorizer does: the user and groups of the client certificate (checked against the cluster's CA as the TLS
/// session was made), asked of the API server with a SubjectAccessReview for the Node's subresource. Answers are
/// kept five minutes when allowed and thirty seconds when not, as the kubelet keeps them.
/// </summary>
internal sealed class RequestAuthorizer(ApiClient client, AgentOptions options, TimeProvider time)
{
    private static readonly TimeSpan s_allowedFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_deniedFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Until)> _decisions = new(StringComparer.Ordinal);

    /// <summary>The user a client certificate names: its common name, and its organizations as groups.</summary>
    public static (string User, IReadOnlyList<string> Groups) UserOf(X509Certificate2 certificate)
    {
        var user = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(n => n.GetSingleElementType().Value == "2.5.4.10")
            .Select(n => n.GetSingleElementValue() ?? "").Where(g => g.Length > 0).ToList();
        return (user, groups);
    }

    /// <summary>Whether the user may <paramref name="verb"/> the Node's <paramref name="subresource"/>.</summary>
    public async Task<bool> AllowedAsync(string user, IReadOnlyList<string> groups, string verb, string subresource, CancellationToken cancellationToken)
    {
        var key = string.Join('\n', user, string.Join(',', groups), verb, subresource);
        var now = time.GetUtcNow();
        if (_decisions.TryGetValue(key, out var known) && known.Until > now)
        {
            return known.Allowed;
        }
        var review = await client.PostAsync(ApiResources.SubjectAccessReviews, new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user,
                Groups = [.. groups],
                ResourceAttributes = new V1ResourceAttributes
                {
                    Verb = verb,
                    Resource = "nodes",
                    Subresource = subresource,
                    Name = options.NodeName,
                    Group = "",
                    Version = "v1",
                },
            },
        }, AgentJson.Default.V1SubjectAccessReview, AgentJson.Default.V1SubjectAccessReview, cancellationToken);
        var allowed = review.Status?.Allowed == true;
        _decisions[key] = (allowed, now + (allowed ? s_allowedFor : s_deniedFor));
        return allowed;
    }
}
