namespace Berth.Kube.OpenApi;

/// <summary>
/// The OpenAPI a document is written for. The schemas and operations are the same; Swagger 2.0 keeps the schemas
/// under <c>definitions</c>, puts a request body among the parameters, and gives a parameter its type directly.
/// </summary>
internal enum OpenApiFormat
{
    /// <summary>Swagger 2.0, served whole at <c>/openapi/v2</c>.</summary>
    V2,

    /// <summary>OpenAPI 3.0, one document per group/version under <c>/openapi/v3</c>.</summary>
    V3,
}
