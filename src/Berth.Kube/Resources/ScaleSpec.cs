namespace Berth.Kube.Resources;

/// <summary>
/// The <c>scale</c> subresource of a kind: an autoscaling/v1 Scale read from and written to the object's
/// <c>spec.replicas</c>, with the status replica count and label selector of the object.
/// </summary>
internal sealed record ScaleSpec(string StatusReplicasField = "replicas");
