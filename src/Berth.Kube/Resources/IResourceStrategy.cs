using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources;

/// <summary>
/// What differs between kinds: defaults, validation, the columns <c>kubectl get</c> prints, and which of
/// the shared behaviours (status subresource, generation, scale subresource) the kind has.
/// </summary>
internal interface IResourceStrategy
{
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>
    /// The kind has a <c>status</c> subresource: writes to the object keep the stored status, and only
    /// <c>…/status</c> changes it. New objects start with an empty status.
    /// </summary>
    bool HasStatus => false;

    /// <summary>
    /// A new object keeps the status it was created with, as a Node registered by its kubelet does; other kinds
    /// with a status subresource start with an empty one.
    /// </summary>
    bool CreateKeepsStatus => false;

    /// <summary><c>metadata.generation</c> starts at 1 and grows whenever the spec changes.</summary>
    bool TracksGeneration => false;

    /// <summary>Annotation changes advance the generation too, as they do for Deployments.</summary>
    bool GenerationCountsAnnotations => false;

    /// <summary>The fields, beyond <c>metadata.name</c> and <c>metadata.namespace</c>, that field selectors may name.</summary>
    IReadOnlyCollection<string> FieldLabels => [];

    /// <summary>The categories discovery lists the kind in, such as <c>all</c>, which <c>kubectl get all</c> expands.</summary>
    IReadOnlyList<string> Categories => [];

    /// <summary>What a field selector compares a field the object leaves out with, where Kubernetes has a value for it (a Node's <c>spec.unschedulable</c> is "false").</summary>
    IReadOnlyDictionary<string, string> FieldLabelDefaults => new Dictionary<string, string>();

    /// <summary>The kind is only ever created, and answered without being stored, as access reviews are.</summary>
    bool CreateOnly => false;

    /// <summary>
    /// The kind's objects are computed when asked by an <see cref="IComputedObjects"/> and never stored, as metrics
    /// are: they are served to get and list only.
    /// </summary>
    bool Computed => false;

    /// <summary>Where the kind keeps its replica counts, for the <c>scale</c> subresource; null when it has none.</summary>
    ScaleSpec? Scale => null;

    /// <summary>The kind's strategic-merge keys by field path; lists not named are replaced by a strategic merge patch.</summary>
    IReadOnlyDictionary<string, string> MergeKeys => Resources.MergeKeys.Metadata;

    /// <summary>
    /// Carries into a replacement what the server chose for the old object and the client left out, before
    /// defaults and validation, as kube-apiserver's PrepareForUpdate does (a Service's cluster IP, say).
    /// </summary>
    void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
    }

    /// <summary>
    /// How many seconds a delete of the object waits for whoever runs it to confirm, as kube-apiserver's
    /// <c>CheckGracefulDelete</c>: 0 (or null) removes it at once; more marks it with <c>deletionTimestamp</c> and
    /// <c>deletionGracePeriodSeconds</c> until a delete with grace 0 comes. <paramref name="requested"/> is the
    /// delete's <c>gracePeriodSeconds</c>.
    /// </summary>
    long? GracefulDeletePeriod(JsonObject obj, long? requested) => null;

    /// <summary>Fills defaults in a new or replaced object, as the API server does before validation.</summary>
    void ApplyDefaults(JsonObject obj);

    /// <summary>The fields of <paramref name="obj"/> that are invalid for this kind; empty when valid.</summary>
    IEnumerable<FieldError> Validate(JsonObject obj);

    /// <summary>Validation of a replacement, where some fields may not change; by default the same as a new object's.</summary>
    IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => Validate(obj);
}
