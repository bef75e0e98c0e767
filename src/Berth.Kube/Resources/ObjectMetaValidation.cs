using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Kube.Api;

namespace Berth.Kube.Resources;

/// <summary>Kubernetes' name rules (RFC 1123 labels and subdomains) and the checks every object's metadata gets.</summary>
internal static partial class ObjectMetaValidation
{
    public const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    public const string Dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    public const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    public static IEnumerable<FieldError> Name(JsonObject obj, bool label)
    {
        var name = obj["metadata"]?["name"].AsText();
        if (string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required("metadata.name");
            yield break;
        }
        var max = label ? 63 : 253;
        if (name.Length > max)
        {
            yield return FieldError.Invalid("metadata.name", name, $"must be no more than {max} characters");
        }
        if (label ? !LabelPattern().IsMatch(name) : !SubdomainPattern().IsMatch(name))
        {
            yield return FieldError.Invalid("metadata.name", name, label ? LabelMessage : SubdomainMessage);
        }
    }

    /// <summary>Names that become DNS names of their own, as Services' do: RFC 1035 labels, starting with a letter.</summary>
    public static IEnumerable<FieldError> Dns1035Name(JsonObject obj)
    {
        var name = obj["metadata"]?["name"].AsText();
        if (string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required("metadata.name");
            yield break;
        }
        if (name.Length > 63)
        {
            yield return FieldError.Invalid("metadata.name", name, "must be no more than 63 characters");
        }
        if (!Dns1035Pattern().IsMatch(name))
        {
            yield return FieldError.Invalid("metadata.name", name, Dns1035Message);
        }
    }

    /// <summary>Names that only have to be usable as a path segment, as RBAC objects' names are (<c>system:basic-user</c>).</summary>
    public static IEnumerable<FieldError> PathSegmentName(JsonObject obj)
    {
        var name = obj["metadata"]?["name"].AsText();
        if (string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required("metadata.name");
        }
        else if (name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal))
        {
            yield return FieldError.Invalid("metadata.name", name, $"may not be '.' or '..' and may not contain '/' or '%'");
        }
    }

    public static bool IsLabel(string value) => value.Length <= 63 && LabelPattern().IsMatch(value);

    public static bool IsSubdomain(string value) => value.Length <= 253 && SubdomainPattern().IsMatch(value);

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    /// <summary>
    /// A qualified name, as label keys and provisioner names are: an optional DNS subdomain prefix and '/', then a
    /// name of at most 63 characters. Returns Kubernetes' messages, empty when the name is valid.
    /// </summary>
    public static IEnumerable<string> QualifiedName(string value)
    {
        var parts = value.Split('/');
        if (parts.Length > 2)
        {
            yield return $"a qualified name {QualifiedNameMessage} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
            yield break;
        }
        var name = parts[^1];
        if (parts.Length == 2)
        {
            var prefix = parts[0];
            if (prefix.Length == 0)
            {
                yield return "prefix part must be non-empty";
            }
            else
            {
                if (prefix.Length > 253)
                {
                    yield return "prefix part must be no more than 253 characters";
                }
                if (!SubdomainPattern().IsMatch(prefix))
                {
                    yield return "prefix part " + SubdomainMessage;
                }
            }
        }
        if (name.Length == 0)
        {
            yield return "name part must be non-empty";
        }
        else if (name.Length > 63)
        {
            yield return "name part must be no more than 63 characters";
        }
        if (!QualifiedNamePattern().IsMatch(name))
        {
            yield return "name part " + QualifiedNameMessage;
        }
    }

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Pattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();
}
