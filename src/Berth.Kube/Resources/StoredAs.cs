namespace Berth.Kube.Resources;

/// <summary>
/// A resource whose objects are another resource's, seen through another group or version (events.k8s.io/v1
/// Events are core/v1 Events): they are kept under that resource's store keys and converted on every read and write.
/// </summary>
/// <param name="Group">The group of the resource that owns the objects ("" for core).</param>
/// <param name="Plural">The plural of the resource that owns the objects.</param>
/// <param name="Converter">Between the served form and the stored form.</param>
internal sealed record StoredAs(string Group, string Plural, IObjectConverter Converter)
{
    public string GroupSegment => Group.Length == 0 ? "core" : Group;
}
