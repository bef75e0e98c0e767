using System.Text.Json.Nodes;

namespace Berth.Kube.Resources;

/// <summary>
/// Turns objects of one served version into the stored form of another resource and back, as kube-apiserver
/// converts between a request's version and the storage version. Both directions must keep every field.
/// </summary>
internal interface IObjectConverter
{
    /// <summary>The served form of <paramref name="stored"/>; <paramref name="stored"/> is left as it is.</summary>
    JsonObject FromStored(JsonObject stored);

    /// <summary>The stored form of <paramref name="served"/>; <paramref name="served"/> is left as it is.</summary>
    JsonObject ToStored(JsonObject served);
}
