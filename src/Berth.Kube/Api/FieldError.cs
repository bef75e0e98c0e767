namespace Berth.Kube.Api;

/// <summary>One invalid field, with Kubernetes' cause reason (FieldValueInvalid, FieldValueRequired …).</summary>
internal sealed record FieldError(string Field, string Reason, string Message)
{
    public static FieldError Required(string field) => new(field, "FieldValueRequired", "Required value");

    public static FieldError Invalid(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: \"{value}\": {detail}");
}
