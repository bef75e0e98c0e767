using System.Globalization;

namespace Berth.Kube.Api;

/// <summary>One invalid field, with Kubernetes' cause reason (FieldValueInvalid, FieldValueRequired …).</summary>
internal sealed record FieldError(string Field, string Reason, string Message)
{
    public static FieldError Required(string field) => new(field, "FieldValueRequired", "Required value");

    public static FieldError Required(string field, string detail) => new(field, "FieldValueRequired", $"Required value: {detail}");

    public static FieldError Invalid(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: \"{value}\": {detail}");

    /// <summary>An invalid number, which Kubernetes prints without quotes.</summary>
    public static FieldError Invalid(string field, long value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: {value.ToString(CultureInfo.InvariantCulture)}: {detail}");

    public static FieldError Forbidden(string field, string detail) => new(field, "FieldValueForbidden", $"Forbidden: {detail}");

    /// <summary>A value outside a fixed set; <paramref name="supported"/> is listed in the order given (Kubernetes sorts it).</summary>
    public static FieldError NotSupported(string field, string? value, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported",
            $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");

    /// <summary>A reference to something that is not there, such as a volume mount naming no volume.</summary>
    public static FieldError NotFound(string field, string value) => new(field, "FieldValueNotFound", $"Not found: \"{value}\"");

    public static FieldError Duplicate(string field, string value) => new(field, "FieldValueDuplicate", $"Duplicate value: \"{value}\"");

    /// <summary>A field that may not change once set, as <c>ValidateImmutableField</c> reports it.</summary>
    public static FieldError Immutable(string field, string value) => Invalid(field, value, "field is immutable");
}
