using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Authentication;
using Berth.Kube.Resources;

namespace Berth.Kube.Authorization;

/// <summary>Which user an access review asks about.</summary>
internal enum ReviewSubject
{
    /// <summary>SelfSubjectAccessReview: the user who sends it (<c>kubectl auth can-i</c>).</summary>
    Self,

    /// <summary>SubjectAccessReview: the user its spec names.</summary>
    Named,

    /// <summary>LocalSubjectAccessReview: the user its spec names, in the review's own namespace.</summary>
    NamedInNamespace,
}

/// <summary>
/// The access reviews of authorization.k8s.io: created, never stored; the answer is the review with its status
/// (<c>allowed</c>, <c>reason</c>) filled in by the same authorizer every request meets.
/// </summary>
internal sealed class AccessReviewStrategy(ReviewSubject subject) : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } = [TableColumn.NameColumn()];

    /// <summary>Reviews are only ever created.</summary>
    public bool CreateOnly => true;

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        var resource = spec?["resourceAttributes"] is JsonObject;
        var nonResource = spec?["nonResourceAttributes"] is JsonObject;
        if (resource == nonResource)
        {
            yield return FieldError.Invalid("spec.resourceAttributes", spec?["resourceAttributes"]?.ToJsonString() ?? "null",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }
        if (subject != ReviewSubject.Self && spec?["user"].AsText() is not { Length: > 0 } && spec?["groups"] is not JsonArray { Count: > 0 })
        {
            yield return FieldError.Invalid("spec.user", "", "at least one of user or group must be specified");
        }
    }

    /// <summary>The access the review asks about, for <paramref name="requester"/> or for the user it names.</summary>
    public AccessRequest RequestOf(JsonObject review, KubeUser requester, string? ns)
    {
        var spec = (JsonObject)review["spec"]!;
        var user = subject == ReviewSubject.Self
            ? requester
            : new KubeUser(spec["user"].AsText() ?? "", [.. (spec["groups"] as JsonArray ?? []).Select(g => g.AsText()).OfType<string>()]);
        if (spec["nonResourceAttributes"] is JsonObject path)
        {
            return new AccessRequest(user, path["verb"].AsText() ?? "", false, "", "", null, null, null, path["path"].AsText() ?? "");
        }
        var attributes = (JsonObject)spec["resourceAttributes"]!;
        var reviewNamespace = subject == ReviewSubject.NamedInNamespace ? ns : attributes["namespace"].AsText();
        return new AccessRequest(user, attributes["verb"].AsText() ?? "", true, attributes["group"].AsText() ?? "",
            attributes["resource"].AsText() ?? "", attributes["subresource"].AsText() is { Length: > 0 } sub ? sub : null,
            reviewNamespace is { Length: > 0 } ? reviewNamespace : null, attributes["name"].AsText() is { Length: > 0 } name ? name : null, "");
    }
}
