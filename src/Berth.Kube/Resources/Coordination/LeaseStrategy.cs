using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Coordination;

/// <summary>Leases (coordination.k8s.io/v1): who holds a lock, and for how long; node heartbeats and leader election use them.</summary>
internal sealed class LeaseStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Holder", "string", "", "holderIdentity contains the identity of the holder of a current lease.", 0,
            (obj, _) => obj["spec"]?["holderIdentity"].AsText() ?? ""),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var error in ObjectMetaValidation.Name(obj, label: false))
        {
            yield return error;
        }
        if (obj["spec"]?["leaseDurationSeconds"].AsLong() is { } duration && duration <= 0)
        {
            yield return FieldError.Invalid("spec.leaseDurationSeconds", duration, "must be greater than 0");
        }
        if (obj["spec"]?["leaseTransitions"].AsLong() is { } transitions && transitions < 0)
        {
            yield return FieldError.Invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0");
        }
    }
}
