using System.Text;

namespace Berth.Agent.Pods;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> references in env values, commands and args: a defined variable is replaced by its
/// value, an undefined one is left as written, and <c>$$</c> escapes a dollar sign.
/// </summary>
internal static class Expansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }
        var output = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                output.Append(input[i]);
                continue;
            }
            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i++;
            }
            else if (next == '(' && input.IndexOf(')', i + 2) is var close and > 0)
            {
                var name = input[(i + 2)..close];
                output.Append(lookup(name) ?? input[i..(close + 1)]);
                i = close;
            }
            else
            {
                output.Append('$');
            }
        }
        return output.ToString();
    }
}
