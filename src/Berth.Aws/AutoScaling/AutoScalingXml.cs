using System.Globalization;
using System.Xml;

namespace Berth.Aws.AutoScaling;

/// <summary>Auto Scaling's groups, members, tags and activities as its Query answers write them.</summary>
internal static class AutoScalingXml
{
    public static void Group(XmlWriter xml, AutoScalingGroup group)
    {
        xml.WriteStartElement("member");
        xml.WriteElementString("AutoScalingGroupName", group.Name);
        xml.WriteElementString("AutoScalingGroupARN", group.Arn);
        xml.WriteStartElement("MixedInstancesPolicy");
        xml.WriteStartElement("LaunchTemplate");
        LaunchTemplate(xml, group, "LaunchTemplateSpecification");
        xml.WriteStartElement("Overrides");
        foreach (var type in group.InstanceTypes)
        {
            xml.WriteStartElement("member");
            xml.WriteElementString("InstanceType", type);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("InstancesDistribution");
        xml.WriteElementString("OnDemandAllocationStrategy", "prioritized");
        xml.WriteElementString("OnDemandBaseCapacity", "0");
        xml.WriteElementString("OnDemandPercentageAboveBaseCapacity", "100");
        xml.WriteElementString("SpotAllocationStrategy", "lowest-price");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteElementString("MinSize", Number(group.MinSize));
        xml.WriteElementString("MaxSize", Number(group.MaxSize));
        xml.WriteElementString("DesiredCapacity", Number(group.DesiredCapacity));
        xml.WriteElementString("DefaultCooldown", "300");
        xml.WriteStartElement("AvailabilityZones");
        foreach (var zone in group.AvailabilityZones)
        {
            xml.WriteElementString("member", zone);
        }
        xml.WriteEndElement();
        xml.WriteStartElement("LoadBalancerNames");
        xml.WriteEndElement();
        xml.WriteStartElement("TargetGroupARNs");
        xml.WriteEndElement();
        xml.WriteElementString("HealthCheckType", "EC2");
        xml.WriteElementString("HealthCheckGracePeriod", "15");
        xml.WriteStartElement("Instances");
        foreach (var member in group.Instances)
        {
            xml.WriteStartElement("member");
            MemberFields(xml, group, member);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteElementString("CreatedTime", AutoScalingController.Stamp(group.CreatedTime));
        xml.WriteStartElement("SuspendedProcesses");
        xml.WriteEndElement();
        xml.WriteStartElement("EnabledMetrics");
        xml.WriteEndElement();
        xml.WriteStartElement("Tags");
        foreach (var tag in group.Tags)
        {
            Tag(xml, group.Name, tag);
        }
        xml.WriteEndElement();
        xml.WriteStartElement("TerminationPolicies");
        xml.WriteElementString("member", "AllocationStrategy");
        xml.WriteElementString("member", "OldestLaunchTemplate");
        xml.WriteElementString("member", "OldestInstance");
        xml.WriteEndElement();
        xml.WriteElementString("NewInstancesProtectedFromScaleIn", "false");
        xml.WriteElementString("CapacityRebalance", "true");
        if (group.Status is { } status)
        {
            xml.WriteElementString("Status", status);
        }
        xml.WriteEndElement();
    }

    public static void MemberFields(XmlWriter xml, AutoScalingGroup group, GroupMember member)
    {
        xml.WriteElementString("InstanceId", member.InstanceId);
        xml.WriteElementString("InstanceType", member.InstanceType);
        xml.WriteElementString("AvailabilityZone", member.AvailabilityZone);
        xml.WriteElementString("LifecycleState", member.LifecycleState);
        xml.WriteElementString("HealthStatus", member.HealthStatus);
        LaunchTemplate(xml, group, "LaunchTemplate");
        xml.WriteElementString("ProtectedFromScaleIn", member.ProtectedFromScaleIn ? "true" : "false");
    }

    public static void LaunchTemplate(XmlWriter xml, AutoScalingGroup group, string element)
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("LaunchTemplateId", "lt-" + group.Uid.Replace("-", "", StringComparison.Ordinal)[..17]);
        xml.WriteElementString("LaunchTemplateName", group.LaunchTemplateName);
        xml.WriteElementString("Version", "1");
        xml.WriteEndElement();
    }

    public static void Tag(XmlWriter xml, string group, GroupTag tag)
    {
        xml.WriteStartElement("member");
        xml.WriteElementString("ResourceId", group);
        xml.WriteElementString("ResourceType", "auto-scaling-group");
        xml.WriteElementString("Key", tag.Key);
        xml.WriteElementString("Value", tag.Value);
        xml.WriteElementString("PropagateAtLaunch", tag.PropagateAtLaunch ? "true" : "false");
        xml.WriteEndElement();
    }

    public static void ActivityMembers(XmlWriter xml, ScalingActivity activity)
    {
        xml.WriteElementString("ActivityId", activity.ActivityId);
        xml.WriteElementString("AutoScalingGroupName", activity.AutoScalingGroupName);
        xml.WriteElementString("Description", activity.Description);
        xml.WriteElementString("Cause", activity.Cause);
        xml.WriteElementString("StartTime", AutoScalingController.Stamp(activity.StartTime));
        if (activity.EndTime is { } end)
        {
            xml.WriteElementString("EndTime", AutoScalingController.Stamp(end));
        }
        xml.WriteElementString("StatusCode", activity.StatusCode);
        if (activity.StatusMessage is { } message)
        {
            xml.WriteElementString("StatusMessage", message);
        }
        xml.WriteElementString("Progress", Number(activity.Progress));
        xml.WriteElementString("Details", "{}");
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
