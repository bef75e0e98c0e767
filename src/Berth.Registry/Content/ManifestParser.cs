using System.Text.Json;
using Berth.Registry.Storage;

namespace Berth.Registry.Content;

/// <summary>
/// Reads a pushed manifest as the OCI image spec and Docker's schema 2 define it. The media type comes from the
/// manifest's own <c>mediaType</c> or, when it has none, from the request's <c>Content-Type</c>; when both are given
/// they must agree, so what a client later receives is labelled as what it pushed.
/// </summary>
public static class ManifestParser
{
    public static ParsedManifest Parse(ReadOnlySpan<byte> content, string? contentType)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(content, new JsonReaderOptions { MaxDepth = 64 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw Invalid($"the manifest is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the manifest must be a JSON object");
            }
            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var schema))
            {
                throw Invalid("the manifest has no schemaVersion");
            }
            if (schema != 2)
            {
                throw Invalid($"schemaVersion {schema} manifests are not supported; push schema 2 or OCI manifests");
            }
            var mediaType = MediaType(OptionalString(root, "mediaType"), contentType);
            var annotations = Annotations(root);
            var subject = root.TryGetProperty("subject", out var subjectElement) ? ReadDescriptor(subjectElement, "subject") : null;
            if (ManifestMediaTypes.IsIndex(mediaType))
            {
                return new ParsedManifest
                {
                    MediaType = mediaType,
                    Manifests = Descriptors(root, "manifests"),
                    Subject = subject,
                    ArtifactType = OptionalString(root, "artifactType"),
                    Annotations = annotations,
                };
            }
            if (!root.TryGetProperty("config", out var configElement))
            {
                throw Invalid("an image manifest needs a config");
            }
            var config = ReadDescriptor(configElement, "config");
            return new ParsedManifest
            {
                MediaType = mediaType,
                Config = config,
                Layers = Descriptors(root, "layers"),
                Subject = subject,
                ArtifactType = OptionalString(root, "artifactType") ?? config.MediaType,
                Annotations = annotations,
            };
        }
    }

    private static string MediaType(string? declared, string? contentType)
    {
        var header = contentType?.Split(';', 2)[0].Trim();
        if (string.IsNullOrEmpty(header) || header is "application/json" or "application/octet-stream")
        {
            header = null;
        }
        if (declared is not null && header is not null && declared != header)
        {
            throw Invalid($"the manifest's mediaType {declared} does not match its Content-Type {header}");
        }
        var mediaType = declared ?? header ?? throw Invalid("the manifest's media type is unknown: set its mediaType or the request's Content-Type");
        if (mediaType is ManifestMediaTypes.DockerSchema1 or ManifestMediaTypes.DockerSchema1Signed)
        {
            throw Invalid("Docker schema 1 manifests are not supported");
        }
        return ManifestMediaTypes.IsSupported(mediaType) ? mediaType : throw Invalid($"manifest media type {mediaType} is not supported");
    }

    private static List<Descriptor> Descriptors(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var array))
        {
            throw Invalid($"the manifest has no {name}");
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{name} must be an array");
        }
        return array.EnumerateArray().Select((element, index) => ReadDescriptor(element, $"{name}[{index}]")).ToList();
    }

    private static Descriptor ReadDescriptor(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{path} must be a descriptor object");
        }
        var mediaType = OptionalString(element, "mediaType") ?? throw Invalid($"{path} has no mediaType");
        var digestText = OptionalString(element, "digest") ?? throw Invalid($"{path} has no digest");
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw new ContentException(ContentError.DigestInvalid, $"{path} has an invalid digest \"{digestText}\"");
        }
        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
            || !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            throw Invalid($"{path} needs a size, a whole number of bytes");
        }
        return new Descriptor(mediaType, digest, size)
        {
            IsForeign = element.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0,
            ArtifactType = OptionalString(element, "artifactType"),
            Annotations = Annotations(element),
        };
    }

    private static Dictionary<string, string>? Annotations(JsonElement element)
    {
        if (!element.TryGetProperty("annotations", out var annotations) || annotations.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (annotations.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("annotations must be an object of strings");
        }
        return annotations.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Invalid($"annotation {p.Name} must be a string"),
            StringComparer.Ordinal);
    }

    private static string? OptionalString(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"{name} must be a string");

    private static ContentException Invalid(string message) => new(ContentError.ManifestInvalid, message);
}
