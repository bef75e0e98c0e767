using k8s;
using k8s.Models;

namespace Berth.Agent.Client;

/// <summary>JSON merge patches (RFC 7386), written from a model whose unset fields are left out of the patch.</summary>
internal static class MergePatch
{
    /// <summary>
    /// The patch that sets the fields <paramref name="value"/> sets. The client sends a patch's body as text: written
    /// here by its serializer, which knows every model type ahead of time.
    /// </summary>
    public static V1Patch Of<T>(T value)
        where T : IKubernetesObject => new(KubernetesJson.Serialize(value), V1Patch.PatchType.MergePatch);
}
