using System.Text;

namespace Berth.Aws.Accounts;

/// <summary>
/// The AWS CLI's INI files (<c>credentials</c> and <c>config</c>): sections of <c>key = value</c> lines. Berth reads
/// its own profile from them and replaces it in place, leaving every other section and line as it was.
/// </summary>
public static class AwsProfileFile
{
    /// <summary>The profile's name in a credentials file (<c>[berth]</c>); a config file names it <c>[profile berth]</c>.</summary>
    public const string Profile = "berth";

    public const string ConfigSection = "profile " + Profile;

    /// <summary>The files the server writes into its data folder: the key, and the region and endpoint.</summary>
    public const string CredentialsFileName = "aws-credentials";
    public const string ConfigFileName = "aws-config";

    public const string DefaultRegion = "us-east-1";

    /// <summary>One section as text.</summary>
    public static string Render(string section, IEnumerable<KeyValuePair<string, string>> values)
    {
        var text = new StringBuilder().Append('[').Append(section).Append("]\n");
        foreach (var (key, value) in values)
        {
            text.Append(key).Append(" = ").Append(value).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The keys and values of <paramref name="section"/>, or null when the text has no such section.</summary>
    public static Dictionary<string, string>? Read(string text, string section)
    {
        Dictionary<string, string>? values = null;
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (SectionName(trimmed) is { } name)
            {
                if (values is not null)
                {
                    return values; // the section ended
                }
                values = name == section ? new Dictionary<string, string>(StringComparer.Ordinal) : null;
                continue;
            }
            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (values is not null && equals > 0 && !trimmed.StartsWith('#') && !trimmed.StartsWith(';'))
            {
                values[trimmed[..equals].Trim()] = trimmed[(equals + 1)..].Trim();
            }
        }
        return values;
    }

    /// <summary>
    /// The text with <paramref name="section"/> replaced by <paramref name="values"/> (or added at the end when it
    /// is not there); every other line stays as it was.
    /// </summary>
    public static string Upsert(string text, string section, IEnumerable<KeyValuePair<string, string>> values)
    {
        var output = new StringBuilder();
        var inSection = false;
        var written = false;
        foreach (var line in text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n'))
        {
            if (SectionName(line.Trim()) is { } name)
            {
                inSection = name == section;
                if (inSection)
                {
                    output.Append(Render(section, values));
                    written = true;
                    continue;
                }
            }
            if (!inSection)
            {
                output.Append(line).Append('\n');
            }
        }
        if (!written)
        {
            if (output.Length > 0)
            {
                output.Append('\n');
            }
            output.Append(Render(section, values));
        }
        return output.ToString();
    }

    private static string? SectionName(string trimmedLine) =>
        trimmedLine.StartsWith('[') && trimmedLine.EndsWith(']') ? trimmedLine[1..^1].Trim() : null;
}
