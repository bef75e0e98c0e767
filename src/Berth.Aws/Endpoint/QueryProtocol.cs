using System.Text;
using System.Web;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Endpoint;

/// <summary>The Query protocol: parameters from the form body and the query string, answers and errors in XML.</summary>
public static class QueryProtocol
{
    /// <summary>The request's parameters: the form body's, then the query string's for names the body lacks.</summary>
    public static Dictionary<string, string> Parameters(AwsRequest request) => Parameters(request.Http.Request, request.Body);

    /// <summary>The parameters of a request not yet verified (an unsigned one, which some actions take).</summary>
    public static Dictionary<string, string> Parameters(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) is true)
        {
            Add(parameters, HttpUtility.ParseQueryString(Encoding.UTF8.GetString(body.Span)));
        }
        Add(parameters, HttpUtility.ParseQueryString(request.QueryString.Value ?? ""));
        return parameters;
    }

    /// <summary>
    /// A list parameter's values in index order: <c>{prefix}.1</c>, <c>{prefix}.2</c> … (pass <c>Names.member</c> for the
    /// Query services' <c>.member.N</c> form, <c>InstanceId</c> for EC2's).
    /// </summary>
    public static List<string> List(Dictionary<string, string> parameters, string prefix) =>
        [.. Indexed(parameters, prefix).Select(e => e.Value)];

    /// <summary>A list of structures' members in index order: <c>{prefix}.N.{member}</c> as one dictionary per N.</summary>
    public static List<Dictionary<string, string>> Structures(Dictionary<string, string> parameters, string prefix)
    {
        var byIndex = new SortedDictionary<int, Dictionary<string, string>>();
        foreach (var (name, value) in parameters)
        {
            if (name.Length > prefix.Length + 1 && name.StartsWith(prefix + ".", StringComparison.Ordinal)
                && name[(prefix.Length + 1)..].Split('.', 2) is [var index, var member]
                && int.TryParse(index, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                if (!byIndex.TryGetValue(n, out var structure))
                {
                    byIndex[n] = structure = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                structure[member] = value;
            }
        }
        return [.. byIndex.Values];
    }

    private static IEnumerable<KeyValuePair<string, string>> Indexed(Dictionary<string, string> parameters, string prefix) =>
        parameters.Where(p => p.Key.Length > prefix.Length + 1 && p.Key.StartsWith(prefix + ".", StringComparison.Ordinal)
                && int.TryParse(p.Key[(prefix.Length + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            .OrderBy(p => int.Parse(p.Key[(prefix.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Writes <c>&lt;{action}Response&gt;&lt;{action}Result&gt;…&lt;/…&gt;&lt;ResponseMetadata&gt;…</c>.</summary>
    public static async Task WriteResultAsync(HttpResponse response, string xmlNamespace, string action, string requestId,
        Action<XmlWriter> writeResult, CancellationToken cancellationToken)
    {
        await WriteAsync(response, 200, writer =>
        {
            writer.WriteStartElement(action + "Response", xmlNamespace);
            writer.WriteStartElement(action + "Result");
            writeResult(writer);
            writer.WriteEndElement();
            writer.WriteStartElement("ResponseMetadata");
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
            writer.WriteEndElement();
        }, cancellationToken);
    }

    public static Task WriteErrorAsync(HttpResponse response, string xmlNamespace, AwsException error, string requestId, CancellationToken cancellationToken) =>
        WriteAsync(response, error.Status, writer =>
        {
            writer.WriteStartElement("ErrorResponse", xmlNamespace);
            writer.WriteStartElement("Error");
            writer.WriteElementString("Type", error.SenderFault ? "Sender" : "Receiver");
            writer.WriteElementString("Code", error.Code);
            writer.WriteElementString("Message", error.Message);
            writer.WriteEndElement();
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
        }, cancellationToken);

    /// <summary>An XML answer, written whole so its length is known.</summary>
    internal static async Task WriteAsync(HttpResponse response, int status, Action<XmlWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            write(writer);
        }
        response.StatusCode = status;
        response.ContentType = "text/xml";
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }

    private static void Add(Dictionary<string, string> parameters, System.Collections.Specialized.NameValueCollection values)
    {
        foreach (var name in values.AllKeys)
        {
            if (name is not null && values[name] is { } value)
            {
                parameters.TryAdd(name, value);
            }
        }
    }
}
