using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Kube.Api;

namespace Berth.Kube.Schema;

/// <summary>
/// Checks a decoded object against what its schema asks beyond types: required fields and the constraints of a
/// custom resource's schema (enum, minimum and maximum, lengths, pattern, item counts), with kube-apiserver's
/// messages (<c>spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10</c>).
/// </summary>
internal static class SchemaValidator
{
    private static readonly TimeSpan s_patternTimeout = TimeSpan.FromMilliseconds(100);

    public static List<FieldError> Validate(JsonObject obj, TypeSchema schema)
    {
        var errors = new List<FieldError>();
        Check(obj, schema, "", errors, 0);
        return errors;
    }

    private static void Check(JsonNode? node, TypeSchema schema, string path, List<FieldError> errors, int depth)
    {
        if (depth > 64 || node is null)
        {
            return;
        }
        if (schema.Constraints is { } constraints)
        {
            CheckConstraints(node, constraints, path, errors);
        }
        switch (schema.Kind)
        {
            case SchemaKind.Object when node is JsonObject obj:
                foreach (var (field, property) in schema.Properties)
                {
                    var fieldPath = path.Length == 0 ? field : $"{path}.{field}";
                    if (obj[field] is { } value)
                    {
                        Check(value, property.Schema, fieldPath, errors, depth + 1);
                    }
                    else if (property.Required)
                    {
                        errors.Add(FieldError.Required(fieldPath));
                    }
                }
                break;
            case SchemaKind.Array when node is JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], schema.Items!, $"{path}[{i}]", errors, depth + 1);
                }
                break;
            case SchemaKind.Map when node is JsonObject map:
                foreach (var (key, value) in map)
                {
                    Check(value, schema.Items!, $"{path}[{key}]", errors, depth + 1);
                }
                break;
        }
    }

    private static void CheckConstraints(JsonNode node, SchemaConstraints c, string path, List<FieldError> errors)
    {
        var shown = node.ToJsonString();
        if (c.Enum is { } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(new FieldError(path, "FieldValueNotSupported",
                $"Unsupported value: {shown}: supported values: {string.Join(", ", allowed.Select(a => a?.ToJsonString() ?? "null"))}"));
        }
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<double>();
            if (c.Minimum is { } min && (c.ExclusiveMinimum ? number <= min : number < min))
            {
                errors.Add(Invalid(path, shown, $"should be greater than {(c.ExclusiveMinimum ? "" : "or equal to ")}{Format(min)}"));
            }
            if (c.Maximum is { } max && (c.ExclusiveMaximum ? number >= max : number > max))
            {
                errors.Add(Invalid(path, shown, $"should be less than {(c.ExclusiveMaximum ? "" : "or equal to ")}{Format(max)}"));
            }
        }
        if (node is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            var s = text.GetValue<string>();
            if (c.MinLength is { } minLength && s.Length < minLength)
            {
                errors.Add(Invalid(path, shown, $"should be at least {minLength} chars long"));
            }
            if (c.MaxLength is { } maxLength && s.Length > maxLength)
            {
                errors.Add(new FieldError(path, "FieldValueTooLong", $"Too long: may not be more than {maxLength} bytes"));
            }
            if (c.Pattern is { } pattern && !Matches(s, pattern))
            {
                errors.Add(Invalid(path, shown, $"should match '{pattern}'"));
            }
        }
        if (node is JsonArray array)
        {
            if (c.MinItems is { } minItems && array.Count < minItems)
            {
                errors.Add(Invalid(path, array.Count.ToString(CultureInfo.InvariantCulture), $"should have at least {minItems} items"));
            }
            if (c.MaxItems is { } maxItems && array.Count > maxItems)
            {
                errors.Add(new FieldError(path, "FieldValueTooMany", $"Too many: {array.Count}: must have at most {maxItems} items"));
            }
        }
    }

    private static bool Matches(string value, string pattern)
    {
        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.None, s_patternTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static FieldError Invalid(string path, string shown, string rule) =>
        new(path, "FieldValueInvalid", $"Invalid value: {shown}: {path} in body {rule}");

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
