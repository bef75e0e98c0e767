using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Protobuf;
using Berth.Kube.Resources;
using Berth.Kube.Schema;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>Request bodies: read within the size limit, in JSON, YAML or protobuf, and checked against the kind.</summary>
internal sealed partial class ResourceHandler
{
    /// <summary>Reads and checks a request body: one object of this kind, as JSON, YAML or protobuf, at most 3 MiB.</summary>
    private static Task<JsonObject> ReadBodyAsync(HttpContext context, ResourceType type) =>
        ReadBodyAsync(context, type.Schema, type.ApiVersion, type.Version, type.Kind);

    /// <summary>
    /// Reads and checks a request body of the kind <paramref name="kind"/>, which may differ from the URL's resource (a
    /// TokenRequest, say). <paramref name="olderApiVersion"/>, when given, is accepted too: an older version of the same
    /// shape, as an Eviction may be sent as policy/v1beta1.
    /// </summary>
    private static async Task<JsonObject> ReadBodyAsync(HttpContext context, TypeSchema schema, string apiVersion, string version, string kind,
        string? olderApiVersion = null)
    {
        var mediaType = (context.Request.ContentType ?? "application/json").Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/json" or YamlBody.MediaType or ProtobufBody.MediaType))
        {
            throw new KubeApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, {YamlBody.MediaType}, {ProtobufBody.MediaType}");
        }
        var body = await ReadBodyBytesAsync(context);
        var obj = mediaType switch
        {
            ProtobufBody.MediaType => DecodeProtobuf(body, schema, apiVersion, kind) is var decoded
                && olderApiVersion is not null && decoded["apiVersion"].AsText() == olderApiVersion && decoded["kind"].AsText() == kind
                    ? DecodeProtobuf(body, schema, olderApiVersion, kind)
                    : decoded,
            YamlBody.MediaType => YamlBody.Parse(body) as JsonObject ?? throw KubeApiException.BadRequest("the body of the request was not a YAML object"),
            _ => ParseJson(body) as JsonObject ?? throw KubeApiException.BadRequest("the body of the request was not a JSON object"),
        };
        // A body that leaves out its type gets the URL's, as kube-apiserver's decoder defaults it.
        if (obj["kind"] is null)
        {
            obj.Insert(0, "kind", kind);
        }
        if (obj["apiVersion"] is null)
        {
            obj.Insert(0, "apiVersion", apiVersion);
        }
        var sentKind = obj["kind"].AsText();
        var sentVersion = obj["apiVersion"].AsText();
        if (sentKind == kind && olderApiVersion is not null && sentVersion == olderApiVersion)
        {
            sentVersion = apiVersion; // read as the current version from here on
            obj["apiVersion"] = apiVersion;
        }
        if (sentKind != kind || sentVersion != apiVersion)
        {
            throw KubeApiException.BadRequest(
                $"the API version in the data ({sentVersion}) does not match the expected API version ({apiVersion})".Replace(
                    "()", "(<none>)", StringComparison.Ordinal) + (sentKind != kind ? $"; kind {sentKind} is not {kind}" : ""));
        }
        FieldValidation.Decode(context, schema, version, kind, obj);
        if (obj["metadata"] is not JsonObject)
        {
            obj["metadata"] = new JsonObject();
        }
        return obj;
    }

    private static JsonObject DecodeProtobuf(ReadOnlyMemory<byte> body, TypeSchema schema, string apiVersion, string kind)
    {
        try
        {
            return ProtobufBody.Decode(body.Span, schema, apiVersion, kind, ProtoFieldTable.Shared);
        }
        catch (ProtobufUnsupportedException)
        {
            throw new KubeApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json ({kind} has no protobuf form)");
        }
        catch (Exception e) when (e is ProtobufDecodeException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw KubeApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }


    /// <summary>Parses a JSON body; a duplicated field is refused here, as kube-apiserver's strict decoder refuses it.</summary>
    private static JsonNode ParseJson(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })
                ?? throw KubeApiException.BadRequest("the body of the request is null");
        }
        catch (JsonException e)
        {
            throw KubeApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    /// <summary>The request body, refused with 413 past 3 MiB as kube-apiserver refuses it.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyBytesAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }
        // The pipe buffers the body in pooled segments; only the finished body is copied out.
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffered = result.Buffer;
            if (buffered.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(buffered.End);
                throw TooLarge();
            }
            if (result.IsCompleted)
            {
                var body = buffered.ToArray();
                reader.AdvanceTo(buffered.End);
                return body;
            }
            reader.AdvanceTo(buffered.Start, buffered.End);
        }
    }

    private static KubeApiException TooLarge() =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {MaxBodyBytes}");
}
