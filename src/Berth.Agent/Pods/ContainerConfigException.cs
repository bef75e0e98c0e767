namespace Berth.Agent.Pods;

/// <summary>A container cannot be configured (a ConfigMap, Secret or key it refers to is missing): the kubelet's CreateContainerConfigError.</summary>
internal sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>A pod's volume cannot be set up: the kubelet's FailedMount.</summary>
internal sealed class VolumeSetupException(string message) : Exception(message);
