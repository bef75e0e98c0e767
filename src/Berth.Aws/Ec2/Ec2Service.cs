using System.Globalization;
using System.Xml;
using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Ec2;

/// <summary>
/// Amazon EC2 (its own flavour of the Query protocol, version 2016-11-15), the part behind node groups: instances
/// (described, terminated), the instance types offered, and the region's availability zones. EC2 answers in its own XML
/// (<c>&lt;{Action}Response&gt;</c> with a <c>requestId</c>, lists as <c>item</c>s) and its own error document.
/// </summary>
internal sealed class Ec2Service(Ec2Instances instances, IdentityAuthorizer authorizer) : IAwsService
{
    private const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /// <summary>The zones of every region, as EKS spreads node groups over them.</summary>
    public static readonly IReadOnlyList<string> ZoneSuffixes = ["a", "b", "c"];

    /// <summary>The actions served; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<string> Actions = ["DescribeInstances", "TerminateInstances", "DescribeInstanceTypes", "DescribeAvailabilityZones"];

    public string SigningName => "ec2";

    public AwsProtocol Protocol => AwsProtocol.Query;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var parameters = QueryProtocol.Parameters(request);
        var action = parameters.GetValueOrDefault("Action") ?? throw new AwsException("MissingAction", "The request must contain the parameter Action");
        if (!Actions.Contains(action))
        {
            throw new AwsException("InvalidAction", $"The action {action} is not valid for this web service.");
        }
        if (await authorizer.RefusalAsync(request.Caller, "ec2:" + action, "*", cancellationToken) is { } refusal)
        {
            throw new AwsException("UnauthorizedOperation", refusal, 403);
        }
        Action<XmlWriter> result = action switch
        {
            "DescribeInstances" => await DescribeInstancesAsync(request, parameters, cancellationToken),
            "TerminateInstances" => await TerminateInstancesAsync(request, parameters, cancellationToken),
            "DescribeInstanceTypes" => DescribeInstanceTypes(parameters),
            _ => DescribeAvailabilityZones(request),
        };
        await QueryProtocol.WriteAsync(request.Http.Response, 200, xml =>
        {
            xml.WriteStartElement(action + "Response", Namespace);
            xml.WriteElementString("requestId", request.RequestId);
            result(xml);
            xml.WriteEndElement();
        }, cancellationToken);
    }

    /// <summary>EC2's error document: <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;</c> with the code and message, then the request id.</summary>
    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        QueryProtocol.WriteAsync(response, failure.Status, xml =>
        {
            xml.WriteStartElement("Response");
            xml.WriteStartElement("Errors");
            xml.WriteStartElement("Error");
            xml.WriteElementString("Code", failure.Code);
            xml.WriteElementString("Message", failure.Message);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteElementString("RequestID", requestId);
            xml.WriteEndElement();
        }, cancellationToken);

    private async Task<Action<XmlWriter>> DescribeInstancesAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var ids = QueryProtocol.List(parameters, "InstanceId");
        var filters = Filters(parameters);
        var all = (await instances.ListAsync(request.Caller.AccountId, request.Region, cancellationToken)).Where(i => !i.Fargate).ToList();
        if (ids.FirstOrDefault(id => all.All(i => i.InstanceId != id)) is { } missing)
        {
            throw Ec2Instances.NotFound(missing);
        }
        var selected = all.Where(i => (ids.Count == 0 || ids.Contains(i.InstanceId)) && filters.All(f => Matches(i, f.Name, f.Values)))
            .OrderBy(i => i.LaunchTime).ToList();
        var (page, next) = Page(selected, parameters);
        return xml =>
        {
            xml.WriteStartElement("reservationSet");
            foreach (var instance in page)
            {
                xml.WriteStartElement("item");
                xml.WriteElementString("reservationId", "r-" + instance.InstanceId[2..]);
                xml.WriteElementString("ownerId", instance.AccountId);
                xml.WriteStartElement("groupSet");
                xml.WriteEndElement();
                xml.WriteStartElement("instancesSet");
                WriteInstance(xml, instance);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            if (next is not null)
            {
                xml.WriteElementString("nextToken", next);
            }
        };
    }

    /// <summary>DescribeInstances' filters Berth reads: state, type, zone, address, DNS name, id and tags.</summary>
    private static bool Matches(Ec2Instance instance, string filter, HashSet<string> values) => filter switch
    {
        "instance-state-name" => values.Contains(instance.State),
        "instance-state-code" => values.Contains(instance.StateCode.ToString(CultureInfo.InvariantCulture)),
        "instance-type" => values.Contains(instance.InstanceType),
        "availability-zone" => values.Contains(instance.AvailabilityZone),
        "private-ip-address" => values.Contains(instance.PrivateIpAddress),
        "private-dns-name" => values.Contains(instance.PrivateDnsName),
        "instance-id" => values.Contains(instance.InstanceId),
        "tag-key" => instance.Tags.Keys.Any(values.Contains),
        _ when filter.StartsWith("tag:", StringComparison.Ordinal) => instance.Tags.TryGetValue(filter[4..], out var value) && values.Contains(value),
        _ => throw new AwsException("InvalidParameterValue", $"The filter '{filter}' is invalid"),
    };

    private async Task<Action<XmlWriter>> TerminateInstancesAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var ids = QueryProtocol.List(parameters, "InstanceId");
        if (ids.Count == 0)
        {
            throw new AwsException("MissingParameter", "The request must contain the parameter InstanceId");
        }
        var changes = new List<(string Id, Ec2Instance Before, Ec2Instance After)>();
        foreach (var id in ids)
        {
            var instance = await instances.FindAsync(request.Caller.AccountId, request.Region, id, cancellationToken) is { Fargate: false } found
                ? found : throw Ec2Instances.NotFound(id);
            var after = await instances.UpdateAsync(instance, i => i.State is "pending" or "running"
                ? i with { State = "shutting-down", StateTransitionReason = "User initiated" }
                : i, cancellationToken);
            changes.Add((id, instance, after));
        }
        return xml =>
        {
            xml.WriteStartElement("instancesSet");
            foreach (var (id, before, after) in changes)
            {
                xml.WriteStartElement("item");
                xml.WriteElementString("instanceId", id);
                WriteState(xml, "currentState", after);
                WriteState(xml, "previousState", before);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        };
    }

    private static Action<XmlWriter> DescribeInstanceTypes(Dictionary<string, string> parameters)
    {
        var names = QueryProtocol.List(parameters, "InstanceType");
        if (names.FirstOrDefault(n => InstanceType.Find(n) is null) is { } unknown)
        {
            throw new AwsException("InvalidInstanceType", $"The following supplied instance types do not exist: [{unknown}]");
        }
        var types = InstanceType.Offered.Where(t => names.Count == 0 || names.Contains(t.Name)).ToList();
        return xml =>
        {
            xml.WriteStartElement("instanceTypeSet");
            foreach (var type in types)
            {
                xml.WriteStartElement("item");
                xml.WriteElementString("instanceType", type.Name);
                xml.WriteElementString("currentGeneration", "true");
                xml.WriteElementString("freeTierEligible", type.Name is "t3.micro" ? "true" : "false");
                xml.WriteStartElement("supportedUsageClasses");
                xml.WriteElementString("item", "on-demand");
                xml.WriteElementString("item", "spot");
                xml.WriteEndElement();
                xml.WriteElementString("hypervisor", "nitro");
                xml.WriteStartElement("processorInfo");
                xml.WriteStartElement("supportedArchitectures");
                xml.WriteElementString("item", "x86_64");
                xml.WriteEndElement();
                xml.WriteEndElement();
                xml.WriteStartElement("vCpuInfo");
                xml.WriteElementString("defaultVCpus", Text(type.VCpus));
                xml.WriteEndElement();
                xml.WriteStartElement("memoryInfo");
                xml.WriteElementString("sizeInMiB", Text(type.MemoryMiB));
                xml.WriteEndElement();
                xml.WriteElementString("instanceStorageSupported", "false");
                xml.WriteElementString("burstablePerformanceSupported", type.Name.StartsWith("t3", StringComparison.Ordinal) ? "true" : "false");
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        };
    }

    private static Action<XmlWriter> DescribeAvailabilityZones(AwsRequest request) => xml =>
    {
        xml.WriteStartElement("availabilityZoneInfo");
        for (var i = 0; i < ZoneSuffixes.Count; i++)
        {
            xml.WriteStartElement("item");
            xml.WriteElementString("zoneName", request.Region + ZoneSuffixes[i]);
            xml.WriteElementString("zoneState", "available");
            xml.WriteElementString("regionName", request.Region);
            xml.WriteElementString("zoneId", $"{string.Concat(request.Region.Split('-').Select((p, n) => n == 1 ? p[..1] : p))}-az{i + 1}");
            xml.WriteElementString("zoneType", "availability-zone");
            xml.WriteElementString("optInStatus", "opt-in-not-required");
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    };

    private static void WriteInstance(XmlWriter xml, Ec2Instance instance)
    {
        xml.WriteStartElement("item");
        xml.WriteElementString("instanceId", instance.InstanceId);
        xml.WriteElementString("imageId", "ami-0berth0agent0000");
        WriteState(xml, "instanceState", instance);
        xml.WriteElementString("privateDnsName", instance.State == "terminated" ? "" : instance.PrivateDnsName);
        xml.WriteElementString("dnsName", "");
        xml.WriteElementString("reason", instance.StateTransitionReason);
        xml.WriteElementString("amiLaunchIndex", "0");
        xml.WriteElementString("instanceType", instance.InstanceType);
        xml.WriteElementString("launchTime", instance.LaunchTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        xml.WriteStartElement("placement");
        xml.WriteElementString("availabilityZone", instance.AvailabilityZone);
        xml.WriteElementString("tenancy", "default");
        xml.WriteEndElement();
        xml.WriteStartElement("monitoring");
        xml.WriteElementString("state", "disabled");
        xml.WriteEndElement();
        if (instance.State != "terminated")
        {
            xml.WriteElementString("privateIpAddress", instance.PrivateIpAddress);
        }
        xml.WriteElementString("architecture", "x86_64");
        xml.WriteElementString("rootDeviceType", "ebs");
        xml.WriteElementString("virtualizationType", "hvm");
        xml.WriteElementString("hypervisor", "nitro");
        xml.WriteStartElement("tagSet");
        foreach (var (key, value) in instance.Tags)
        {
            xml.WriteStartElement("item");
            xml.WriteElementString("key", key);
            xml.WriteElementString("value", value);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void WriteState(XmlWriter xml, string element, Ec2Instance instance)
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("code", Text(instance.StateCode));
        xml.WriteElementString("name", instance.State);
        xml.WriteEndElement();
    }

    /// <summary>EC2's filters: <c>Filter.N.Name</c> and <c>Filter.N.Value.M</c>.</summary>
    private static List<(string Name, HashSet<string> Values)> Filters(Dictionary<string, string> parameters) =>
        [.. QueryProtocol.Structures(parameters, "Filter").Select(f => (
            f.GetValueOrDefault("Name") ?? throw new AwsException("InvalidParameterValue", "A filter's Name can't be empty"),
            f.Where(v => v.Key.StartsWith("Value.", StringComparison.Ordinal)).Select(v => v.Value).ToHashSet(StringComparer.Ordinal)))];

    private static (List<T> Page, string? Next) Page<T>(List<T> all, Dictionary<string, string> parameters)
    {
        var limit = parameters.GetValueOrDefault("MaxResults") is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked is >= 5 and <= 1000 ? asked
                : throw new AwsException("InvalidParameterValue", $"Value ( {text} ) for parameter maxResults is invalid. Expecting a value greater than 5.")
            : 1000;
        return PageTokens.Slice(all, PageTokens.Decode(parameters.GetValueOrDefault("NextToken"), () => new AwsException("InvalidParameterValue", "The token is invalid")), limit);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
