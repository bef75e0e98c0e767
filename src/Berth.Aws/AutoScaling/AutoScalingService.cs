using System.Globalization;
using System.Xml;
using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.AutoScaling;

/// <summary>
/// Amazon EC2 Auto Scaling (Query protocol, version 2011-01-01), the part that node groups and the cluster autoscaler
/// use: describing groups (with tag filters), their instances and activities, changing their sizes, terminating an
/// instance, tagging. The group controller does the launching and terminating these ask for.
/// </summary>
internal sealed class AutoScalingService(AutoScalingGroups groups, IdentityAuthorizer authorizer, TimeProvider time) : IAwsService
{
    private const string Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    /// <summary>The actions served; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "DescribeAutoScalingGroups", "UpdateAutoScalingGroup", "SetDesiredCapacity", "TerminateInstanceInAutoScalingGroup",
        "DescribeAutoScalingInstances", "DescribeScalingActivities", "CreateOrUpdateTags", "DeleteTags", "DescribeTags",
    ];

    public string SigningName => "autoscaling";

    public AwsProtocol Protocol => AwsProtocol.Query;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var parameters = QueryProtocol.Parameters(request);
        var action = parameters.GetValueOrDefault("Action") ?? throw new AwsException("MissingAction", "Missing Action");
        if (!Actions.Contains(action))
        {
            throw new AwsException("InvalidAction", $"The action {action} is not valid for this web service.");
        }
        var account = request.Caller.AccountId;
        var resource = parameters.GetValueOrDefault("AutoScalingGroupName") is { } named
            && await groups.FindAsync(account, request.Region, named, cancellationToken) is { } group ? group.Arn : "*";
        if (await authorizer.RefusalAsync(request.Caller, "autoscaling:" + action, resource, cancellationToken) is { } refusal)
        {
            throw new AwsException("AccessDenied", refusal, 403);
        }
        Action<XmlWriter> result = action switch
        {
            "DescribeAutoScalingGroups" => await DescribeGroupsAsync(request, parameters, cancellationToken),
            "UpdateAutoScalingGroup" => await UpdateGroupAsync(request, parameters, cancellationToken),
            "SetDesiredCapacity" => await SetDesiredCapacityAsync(request, parameters, cancellationToken),
            "TerminateInstanceInAutoScalingGroup" => await TerminateInstanceAsync(request, parameters, cancellationToken),
            "DescribeAutoScalingInstances" => await DescribeInstancesAsync(request, parameters, cancellationToken),
            "DescribeScalingActivities" => await DescribeActivitiesAsync(request, parameters, cancellationToken),
            "CreateOrUpdateTags" => await ChangeTagsAsync(request, parameters, delete: false, cancellationToken),
            "DeleteTags" => await ChangeTagsAsync(request, parameters, delete: true, cancellationToken),
            _ => await DescribeTagsAsync(request, parameters, cancellationToken),
        };
        await QueryProtocol.WriteResultAsync(request.Http.Response, Namespace, action, request.RequestId, result, cancellationToken);
    }

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        QueryProtocol.WriteErrorAsync(response, Namespace, failure, requestId, cancellationToken);

    private async Task<Action<XmlWriter>> DescribeGroupsAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var names = QueryProtocol.List(parameters, "AutoScalingGroupNames.member");
        var filters = QueryProtocol.Structures(parameters, "Filters.member")
            .Select(f => (Name: f.GetValueOrDefault("Name") ?? throw Validation("Filter name can't be null."),
                Values: f.Where(v => v.Key.StartsWith("Values.member.", StringComparison.Ordinal)).Select(v => v.Value).ToHashSet(StringComparer.Ordinal)))
            .ToList();
        var all = (await groups.ListAsync(request.Caller.AccountId, request.Region, cancellationToken))
            .Where(g => names.Count == 0 || names.Contains(g.Name))
            .Where(g => filters.All(f => Matches(g, f.Name, f.Values)))
            .ToList();
        var (page, next) = Page(all, parameters, 50, 100);
        return xml =>
        {
            xml.WriteStartElement("AutoScalingGroups");
            foreach (var group in page)
            {
                AutoScalingXml.Group(xml, group);
            }
            xml.WriteEndElement();
            if (next is not null)
            {
                xml.WriteElementString("NextToken", next);
            }
        };
    }

    /// <summary>DescribeAutoScalingGroups' filters: <c>tag-key</c>, <c>tag-value</c> and <c>tag:&lt;key&gt;</c>, any of the values.</summary>
    private static bool Matches(AutoScalingGroup group, string filter, HashSet<string> values) => filter switch
    {
        "tag-key" => group.Tags.Any(t => values.Contains(t.Key)),
        "tag-value" => group.Tags.Any(t => values.Contains(t.Value)),
        _ when filter.StartsWith("tag:", StringComparison.Ordinal) => group.Tags.Any(t => t.Key == filter[4..] && values.Contains(t.Value)),
        _ => throw Validation($"The filter '{filter}' is invalid; the filters are tag-key, tag-value and tag:<key>."),
    };

    private async Task<Action<XmlWriter>> UpdateGroupAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var group = await GroupAsync(request, parameters, cancellationToken);
        var min = Integer(parameters, "MinSize") ?? group.MinSize;
        var max = Integer(parameters, "MaxSize") ?? group.MaxSize;
        if (min > max)
        {
            throw Validation($"Max bound, {max}, must be greater than or equal to min bound, {min}");
        }
        var desired = Integer(parameters, "DesiredCapacity") ?? Math.Clamp(group.DesiredCapacity, min, max);
        if (desired < min || desired > max)
        {
            throw Validation($"Desired capacity:{desired} must be between the specified min size:{min} and max size:{max}");
        }
        await ResizeAsync(group, min, max, desired, "a user request update of AutoScalingGroup constraints to "
            + $"min: {min}, max: {max}, desired: {desired}", cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> SetDesiredCapacityAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var group = await GroupAsync(request, parameters, cancellationToken);
        var desired = Integer(parameters, "DesiredCapacity") ?? throw Validation("DesiredCapacity is required.");
        if (desired > group.MaxSize)
        {
            throw Validation($"New SetDesiredCapacity value {desired} is above max value {group.MaxSize} for the AutoScalingGroup.");
        }
        if (desired < group.MinSize)
        {
            throw Validation($"New SetDesiredCapacity value {desired} is below min value {group.MinSize} for the AutoScalingGroup.");
        }
        await ResizeAsync(group, group.MinSize, group.MaxSize, desired, "a user request explicitly set group desired capacity", cancellationToken);
        return _ => { };
    }

    private async Task ResizeAsync(AutoScalingGroup group, int min, int max, int desired, string why, CancellationToken cancellationToken)
    {
        var before = group.DesiredCapacity;
        group = await groups.UpdateAsync(group, g => g with { MinSize = min, MaxSize = max, DesiredCapacity = desired }, cancellationToken);
        if (before != desired)
        {
            await groups.RecordAsync(group, "Updated desired capacity",
                $"At {AutoScalingController.Stamp(time.GetUtcNow())} {why} changing the desired capacity from {before} to {desired}.", done: true, cancellationToken);
        }
    }

    private async Task<Action<XmlWriter>> TerminateInstanceAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var id = parameters.GetValueOrDefault("InstanceId") ?? throw Validation("InstanceId is required.");
        var decrement = parameters.GetValueOrDefault("ShouldDecrementDesiredCapacity") switch
        {
            "true" => true,
            "false" => false,
            _ => throw Validation("ShouldDecrementDesiredCapacity is required and must be true or false."),
        };
        var group = (await groups.ListAsync(request.Caller.AccountId, request.Region, cancellationToken)).FirstOrDefault(g => g.Instances.Any(m => m.InstanceId == id))
            ?? throw Validation($"Instance Id not found - No managed instance found for instance ID: {id}");
        if (decrement && group.DesiredCapacity <= group.MinSize)
        {
            throw Validation($"Currently, desiredSize equals minSize ({group.MinSize}). Terminating instance without replacement will violate group's min size "
                + "constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.");
        }
        var now = time.GetUtcNow();
        var activity = await groups.RecordAsync(group, $"Terminating EC2 instance: {id}", $"At {AutoScalingController.Stamp(now)} instance {id} was taken out of service "
            + $"in response to a user request{(decrement ? $", shrinking the capacity from {group.DesiredCapacity} to {group.DesiredCapacity - 1}" : "")}.",
            done: false, cancellationToken);
        await groups.UpdateAsync(group, g => g with
        {
            DesiredCapacity = decrement ? g.DesiredCapacity - 1 : g.DesiredCapacity,
            Instances = [.. g.Instances.Select(m => m.InstanceId == id && !m.LifecycleState.StartsWith("Terminating", StringComparison.Ordinal)
                ? m with { LifecycleState = "Terminating", TerminatingSince = now, Activity = activity.ActivityId }
                : m)],
        }, cancellationToken);
        return xml =>
        {
            xml.WriteStartElement("Activity");
            AutoScalingXml.ActivityMembers(xml, activity);
            xml.WriteEndElement();
        };
    }

    private async Task<Action<XmlWriter>> DescribeInstancesAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var ids = QueryProtocol.List(parameters, "InstanceIds.member");
        var members = (await groups.ListAsync(request.Caller.AccountId, request.Region, cancellationToken))
            .SelectMany(g => g.Instances.Select(m => (Group: g, Member: m)))
            .Where(e => ids.Count == 0 || ids.Contains(e.Member.InstanceId))
            .ToList();
        var (page, next) = Page(members, parameters, 50, 50);
        return xml =>
        {
            xml.WriteStartElement("AutoScalingInstances");
            foreach (var (group, member) in page)
            {
                xml.WriteStartElement("member");
                xml.WriteElementString("AutoScalingGroupName", group.Name);
                AutoScalingXml.MemberFields(xml, group, member);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            if (next is not null)
            {
                xml.WriteElementString("NextToken", next);
            }
        };
    }

    private async Task<Action<XmlWriter>> DescribeActivitiesAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var selected = parameters.GetValueOrDefault("AutoScalingGroupName") is { } name
            ? [await groups.GetAsync(request.Caller.AccountId, request.Region, name, cancellationToken)]
            : await groups.ListAsync(request.Caller.AccountId, request.Region, cancellationToken);
        var ids = QueryProtocol.List(parameters, "ActivityIds.member");
        var activities = new List<ScalingActivity>();
        foreach (var group in selected)
        {
            activities.AddRange(await groups.ActivitiesAsync(group, cancellationToken));
        }
        activities = [.. activities.Where(a => ids.Count == 0 || ids.Contains(a.ActivityId)).OrderByDescending(a => a.StartTime)];
        var (page, next) = Page(activities, parameters, 100, 100);
        return xml =>
        {
            xml.WriteStartElement("Activities");
            foreach (var activity in page)
            {
                xml.WriteStartElement("member");
                AutoScalingXml.ActivityMembers(xml, activity);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            if (next is not null)
            {
                xml.WriteElementString("NextToken", next);
            }
        };
    }

    private async Task<Action<XmlWriter>> ChangeTagsAsync(AwsRequest request, Dictionary<string, string> parameters, bool delete, CancellationToken cancellationToken)
    {
        var tags = QueryProtocol.Structures(parameters, "Tags.member");
        if (tags.Count == 0)
        {
            throw Validation("Tags can't be empty.");
        }
        foreach (var byGroup in tags.GroupBy(t => t.GetValueOrDefault("ResourceId") ?? throw Validation("A tag's ResourceId can't be null.")))
        {
            var group = await groups.GetAsync(request.Caller.AccountId, request.Region, byGroup.Key, cancellationToken);
            await groups.UpdateAsync(group, g =>
            {
                var changed = g.Tags.ToList();
                foreach (var tag in byGroup)
                {
                    var key = tag.GetValueOrDefault("Key") is { Length: > 0 } k ? k : throw Validation("A tag's Key can't be empty.");
                    changed.RemoveAll(t => t.Key == key);
                    if (!delete)
                    {
                        changed.Add(new GroupTag(key, tag.GetValueOrDefault("Value") ?? "", tag.GetValueOrDefault("PropagateAtLaunch") == "true"));
                    }
                }
                return g with { Tags = changed };
            }, cancellationToken);
        }
        return _ => { };
    }

    private async Task<Action<XmlWriter>> DescribeTagsAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var filters = QueryProtocol.Structures(parameters, "Filters.member")
            .Select(f => (Name: f.GetValueOrDefault("Name") ?? "", Values: f.Where(v => v.Key.StartsWith("Values.member.", StringComparison.Ordinal)).Select(v => v.Value).ToHashSet()))
            .ToList();
        var tags = (await groups.ListAsync(request.Caller.AccountId, request.Region, cancellationToken))
            .SelectMany(g => g.Tags.Select(t => (Group: g.Name, Tag: t)))
            .Where(e => filters.All(f => f.Name switch
            {
                "auto-scaling-group" => f.Values.Contains(e.Group),
                "key" => f.Values.Contains(e.Tag.Key),
                "value" => f.Values.Contains(e.Tag.Value),
                "propagate-at-launch" => f.Values.Contains(e.Tag.PropagateAtLaunch ? "true" : "false"),
                _ => throw Validation($"The filter '{f.Name}' is invalid."),
            }))
            .ToList();
        var (page, next) = Page(tags, parameters, 100, 100);
        return xml =>
        {
            xml.WriteStartElement("Tags");
            foreach (var (group, tag) in page)
            {
                AutoScalingXml.Tag(xml, group, tag);
            }
            xml.WriteEndElement();
            if (next is not null)
            {
                xml.WriteElementString("NextToken", next);
            }
        };
    }

    private Task<AutoScalingGroup> GroupAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken) =>
        groups.GetAsync(request.Caller.AccountId, request.Region,
            parameters.GetValueOrDefault("AutoScalingGroupName") ?? throw Validation("AutoScalingGroupName is required."), cancellationToken);

    /// <summary>One page of <paramref name="all"/>: <c>MaxRecords</c> (at most <paramref name="max"/>) from where <c>NextToken</c> says.</summary>
    private static (List<T> Page, string? Next) Page<T>(List<T> all, Dictionary<string, string> parameters, int fallback, int max)
    {
        var limit = Integer(parameters, "MaxRecords") ?? fallback;
        if (limit < 1 || limit > max)
        {
            throw Validation($"MaxRecords must be between 1 and {max}.");
        }
        return PageTokens.Slice(all, PageTokens.Decode(parameters.GetValueOrDefault("NextToken"), () => new AwsException("InvalidNextToken", "The token is invalid.")), limit);
    }

    private static int? Integer(Dictionary<string, string> parameters, string name) =>
        parameters.GetValueOrDefault(name) is not { } text ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw Validation($"Value '{text}' at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must have value greater than or equal to 0");

    private static AwsException Validation(string message) => new("ValidationError", message);
}
