using System.Globalization;
using System.Xml;

namespace Berth.Aws.Iam;

/// <summary>IAM's entities as its Query answers write them.</summary>
internal static class IamXml
{
    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static void User(XmlWriter xml, IamUser user, string element = "User")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("Path", "/");
        xml.WriteElementString("UserName", user.UserName);
        xml.WriteElementString("UserId", user.UserId);
        xml.WriteElementString("Arn", user.Arn);
        xml.WriteElementString("CreateDate", Date(user.CreateDate));
        Tags(xml, user.Tags);
        xml.WriteEndElement();
    }

    public static void Role(XmlWriter xml, IamRole role, string element = "Role")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("Path", "/");
        xml.WriteElementString("RoleName", role.RoleName);
        xml.WriteElementString("RoleId", role.RoleId);
        xml.WriteElementString("Arn", role.Arn);
        xml.WriteElementString("CreateDate", Date(role.CreateDate));
        // IAM answers policy documents URL-encoded
        xml.WriteElementString("AssumeRolePolicyDocument", System.Net.WebUtility.UrlEncode(role.AssumeRolePolicyDocument));
        if (role.Description is not null)
        {
            xml.WriteElementString("Description", role.Description);
        }
        xml.WriteElementString("MaxSessionDuration", role.MaxSessionDuration.ToString(CultureInfo.InvariantCulture));
        if (element == "Role")
        {
            Tags(xml, role.Tags); // GetRole and CreateRole carry the tags; ListRoles' members do not, as in IAM
        }
        xml.WriteEndElement();
    }

    private static void Tags(XmlWriter xml, IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0)
        {
            return;
        }
        xml.WriteStartElement("Tags");
        foreach (var (key, value) in tags)
        {
            xml.WriteStartElement("member");
            xml.WriteElementString("Key", key);
            xml.WriteElementString("Value", value);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    public static void Policy(XmlWriter xml, ManagedPolicy policy, int attachments, string element = "Policy")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("PolicyName", policy.PolicyName);
        xml.WriteElementString("PolicyId", policy.PolicyId);
        xml.WriteElementString("Arn", policy.Arn);
        xml.WriteElementString("Path", "/");
        xml.WriteElementString("DefaultVersionId", "v1");
        xml.WriteElementString("AttachmentCount", attachments.ToString(CultureInfo.InvariantCulture));
        xml.WriteElementString("PermissionsBoundaryUsageCount", "0");
        xml.WriteElementString("IsAttachable", "true");
        if (policy.Description is not null)
        {
            xml.WriteElementString("Description", policy.Description);
        }
        xml.WriteElementString("CreateDate", Date(policy.CreateDate));
        xml.WriteElementString("UpdateDate", Date(policy.CreateDate));
        xml.WriteEndElement();
    }

    /// <summary>A list answer's members and its <c>IsTruncated</c> (Berth answers every list whole).</summary>
    public static void List<T>(XmlWriter xml, string element, IEnumerable<T> items, Action<XmlWriter, T> writeMember)
    {
        xml.WriteStartElement(element);
        foreach (var item in items)
        {
            writeMember(xml, item);
        }
        xml.WriteEndElement();
        xml.WriteElementString("IsTruncated", "false");
    }
}
