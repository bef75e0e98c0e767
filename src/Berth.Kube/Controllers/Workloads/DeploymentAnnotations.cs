namespace Berth.Kube.Controllers.Workloads;

/// <summary>The annotations the Deployment controller keeps on Deployments and their ReplicaSets.</summary>
internal static class DeploymentAnnotations
{
    /// <summary>The set's revision, and on the Deployment the revision of its current set; <c>kubectl rollout history</c> lists them.</summary>
    public const string Revision = "deployment.kubernetes.io/revision";

    /// <summary>The earlier revisions a set had, when a rollback made it current again.</summary>
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";

    /// <summary>The Deployment's size when the set was last scaled: a different size now means a resize.</summary>
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";

    /// <summary>The Deployment's size plus surge when the set was last scaled, for sharing a resize in proportion.</summary>
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";

    /// <summary>The Deployment's annotations that are not copied to its sets: the controller's own and kubectl's applied configuration.</summary>
    public static readonly IReadOnlySet<string> NotCopied = new HashSet<string>(StringComparer.Ordinal)
    {
        Revision, RevisionHistory, DesiredReplicas, MaxReplicas,
        "kubectl.kubernetes.io/last-applied-configuration", "deprecated.deployment.rollback.to",
    };
}
