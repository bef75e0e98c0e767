using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Batch;

/// <summary>One reconcile of a CronJob: the CronJob as read and the status being built (<c>active</c>, the last times).</summary>
internal sealed class CronJobSync(JsonObject cronJob)
{
    public JsonObject CronJob { get; } = cronJob;

    public JsonObject Status { get; } = cronJob["status"]?.DeepClone() as JsonObject ?? [];

    /// <summary>References to the Jobs running for the CronJob.</summary>
    public IEnumerable<JsonObject> Active => (Status["active"] as JsonArray ?? []).OfType<JsonObject>();

    public DateTimeOffset? LastScheduleTime
    {
        get => KubeTime.Parse(Status["lastScheduleTime"]);
        set => Status["lastScheduleTime"] = KubeTime.Format(value ?? throw new ArgumentNullException(nameof(value)));
    }

    public bool IsActive(string uid) => Active.Any(r => r["uid"].AsText() == uid);

    public void AddActive(JsonObject job)
    {
        var active = Status["active"] as JsonArray ?? (JsonArray)(Status["active"] = new JsonArray());
        active.Add(new JsonObject
        {
            ["kind"] = "Job",
            ["namespace"] = job["metadata"]?["namespace"]?.DeepClone(),
            ["name"] = job["metadata"]?["name"]?.DeepClone(),
            ["uid"] = job["metadata"]?["uid"]?.DeepClone(),
            ["apiVersion"] = "batch/v1",
            ["resourceVersion"] = job["metadata"]?["resourceVersion"]?.DeepClone(),
        });
    }

    public void RemoveActive(string uid)
    {
        if (Status["active"] is not JsonArray active)
        {
            return;
        }
        foreach (var reference in active.OfType<JsonObject>().Where(r => r["uid"].AsText() == uid).ToList())
        {
            active.Remove(reference);
        }
        if (active.Count == 0)
        {
            Status.Remove("active");
        }
    }
}
