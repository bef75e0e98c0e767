using System.Globalization;
using Berth.Aws.Endpoint;
using Berth.Store;

namespace Berth.Aws.AutoScaling;

/// <summary>Auto Scaling groups and their scaling activities in the store; one prefix lists every group.</summary>
public sealed class AutoScalingGroups(IStore store, TimeProvider time)
{
    public const string RootPrefix = "/aws/autoscaling/groups/";
    private const string ActivitiesRoot = "/aws/autoscaling/activities/";

    /// <summary>How many activities a group keeps; older ones are deleted as new ones come (AWS keeps six weeks').</summary>
    private const int ActivitiesKept = 100;

    public static string Prefix(string accountId, string region) => $"{RootPrefix}{accountId}/{region}/";

    public static string Key(AutoScalingGroup group) => Prefix(group.AccountId, group.Region) + group.Name;

    public Task<AutoScalingGroup?> FindAsync(string accountId, string region, string name, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, Prefix(accountId, region) + name, AutoScalingJson.Default.AutoScalingGroup, cancellationToken);

    /// <summary>The group, or Auto Scaling's ValidationError naming it.</summary>
    public async Task<AutoScalingGroup> GetAsync(string accountId, string region, string name, CancellationToken cancellationToken) =>
        await FindAsync(accountId, region, name, cancellationToken) ?? throw NotFound(name);

    public Task<List<AutoScalingGroup>> ListAsync(string accountId, string region, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, Prefix(accountId, region), AutoScalingJson.Default.AutoScalingGroup, cancellationToken);

    public Task<List<AutoScalingGroup>> ListAllAsync(CancellationToken cancellationToken) =>
        StoredDocuments.ListAllAsync(store, RootPrefix, AutoScalingJson.Default.AutoScalingGroup, cancellationToken);

    public Task CreateAsync(AutoScalingGroup group, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, Key(group), group, AutoScalingJson.Default.AutoScalingGroup,
            () => new AwsException("AlreadyExists", $"AutoScalingGroup by this name already exists - A group with the name {group.Name} already exists"), cancellationToken);

    public Task<AutoScalingGroup> UpdateAsync(AutoScalingGroup group, Func<AutoScalingGroup, AutoScalingGroup> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Key(group), AutoScalingJson.Default.AutoScalingGroup, change, () => NotFound(group.Name), cancellationToken);

    /// <summary>Deletes the group and its activities.</summary>
    public async Task DeleteAsync(AutoScalingGroup group, CancellationToken cancellationToken)
    {
        await StoredDocuments.DeleteAsync(store, Key(group), () => NotFound(group.Name), cancellationToken);
        foreach (var activity in await ActivitiesAsync(group, cancellationToken))
        {
            await store.DeleteAsync(ActivityKey(group, activity), cancellationToken: cancellationToken);
        }
    }

    /// <summary>The group's activities, newest first.</summary>
    public async Task<List<ScalingActivity>> ActivitiesAsync(AutoScalingGroup group, CancellationToken cancellationToken)
    {
        var activities = await StoredDocuments.ListAsync(store, ActivityPrefix(group), AutoScalingJson.Default.ScalingActivity, cancellationToken);
        activities.Reverse();
        return activities;
    }

    /// <summary>Records an activity; ids sort by start time, so the store lists them oldest first.</summary>
    public async Task<ScalingActivity> RecordAsync(AutoScalingGroup group, string description, string cause, bool done, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var activity = new ScalingActivity
        {
            ActivityId = $"{now.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString()[13..]}",
            AutoScalingGroupName = group.Name,
            Description = description,
            Cause = cause,
            StartTime = now,
            EndTime = done ? now : null,
            StatusCode = done ? "Successful" : "InProgress",
            Progress = done ? 100 : 30,
        };
        await StoredDocuments.CreateAsync(store, ActivityKey(group, activity), activity, AutoScalingJson.Default.ScalingActivity,
            () => new AwsException("InternalFailure", "duplicate activity", 500, senderFault: false), cancellationToken);
        var all = await ActivitiesAsync(group, cancellationToken);
        foreach (var old in all.Skip(ActivitiesKept))
        {
            await StoredDocuments.DeleteAsync(store, ActivityKey(group, old), () => new AwsException("InternalFailure", "gone", 500), cancellationToken);
        }
        return activity;
    }

    /// <summary>Marks an activity ended.</summary>
    public async Task CompleteAsync(AutoScalingGroup group, string activityId, string statusCode, CancellationToken cancellationToken)
    {
        var key = ActivityPrefix(group) + activityId;
        if (await store.GetAsync(key, cancellationToken: cancellationToken) is null)
        {
            return;
        }
        await StoredDocuments.UpdateAsync(store, key, AutoScalingJson.Default.ScalingActivity,
            a => a with { StatusCode = statusCode, EndTime = time.GetUtcNow(), Progress = 100 }, () => new AwsException("InternalFailure", "gone", 500), cancellationToken);
    }

    public static AwsException NotFound(string name) => new("ValidationError", $"AutoScalingGroup name not found - AutoScalingGroup {name} not found");

    private static string ActivityPrefix(AutoScalingGroup group) => $"{ActivitiesRoot}{group.AccountId}/{group.Region}/{group.Name}/";

    private static string ActivityKey(AutoScalingGroup group, ScalingActivity activity) => ActivityPrefix(group) + activity.ActivityId;
}
