using Berth.Kube.Api;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Controllers;
using Berth.Kube.Controllers.Autoscaling;
using Berth.Kube.Controllers.Batch;
using Berth.Kube.Controllers.Disruption;
using Berth.Kube.Controllers.Storage;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.Discovery;
using Berth.Kube.Kubelet;
using Berth.Kube.Metrics;
using Berth.Kube.OpenApi;
using Berth.Kube.Pki;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Scheduling;
using Berth.Store;
using Berth.Store.Encryption;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Kube.Hosting;

/// <summary>Plugs the Kubernetes API into the server: its services, its HTTPS listener, and its request branch.</summary>
public static class KubeApiHosting
{
    private const string ConnectionMarker = "berth.kube";

    /// <summary>
    /// The store in front of <paramref name="store"/> that the Kubernetes API keeps its objects in: Secrets sealed
    /// with the install's encryption key, as kube-apiserver's encryption at rest seals them, and the keys other parts
    /// hold secret (<paramref name="alsoSealed"/>: the AWS access keys).
    /// </summary>
    public static IStore WithEncryptionAtRest(IStore store, ClusterPki pki, Func<string, bool> alsoSealed) =>
        new EncryptingStore(store, new ValueSealer(pki.EncryptionKey.Span, "key1"),
            key => (key.StartsWith("/k8s/", StringComparison.Ordinal) && key.Split('/') is [_, _, _, "core", "secrets", ..]) || alsoSealed(key));

    public static IServiceCollection AddKubernetesApi(this IServiceCollection services, KubeApiOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => ClusterPki.LoadOrCreate(options.DataDirectory, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(ResourceRegistry.BuiltIn());
        services.AddSingleton<ClientCertificateAuthenticator>();
        services.AddSingleton<ServiceAccountTokens>();
        services.AddSingleton<AwsAuthMapping>();
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<SharedInformers>();
        services.AddSingleton(sp => new RbacPolicy(sp.GetRequiredService<SharedInformers>(), KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => sp.GetRequiredService<RbacPolicy>());
        services.AddSingleton<RbacAuthorizer>();
        services.AddSingleton<Impersonation>();
        services.AddSingleton<DiscoveryDocuments>();
        services.AddSingleton<AggregatedDiscovery>();
        services.AddSingleton<DiscoveryEndpoint>();
        services.AddSingleton(ModelDocumentation.Shared);
        services.AddSingleton<OpenApiV3Documents>();
        services.AddSingleton<OpenApiV2Document>();
        services.AddSingleton<OpenApiEndpoint>();
        services.AddSingleton<IObjectAllocator, ServiceAllocator>();
        services.AddSingleton<WatchProgress>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<NamespaceLister>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => sp.GetRequiredService<NamespaceLister>());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<PriorityClassLister>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => sp.GetRequiredService<PriorityClassLister>());
        services.AddSingleton<KubeletConnections>();
        services.AddSingleton<UsageSamples>();
        services.AddSingleton<ResourceMetrics>();
        services.AddSingleton<IComputedObjects>(sp => sp.GetRequiredService<ResourceMetrics>());
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<MetricsScraper>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<ResourceHandler>();
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<KubeApiEndpoint>();
        services.AddHostedService<ClusterBootstrap>();
        // the controllers of the one cluster served so far
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<GarbageCollector>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<NamespaceController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<CustomResourceDefinitionController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<ServiceAccountController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<Scheduler>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<ReplicaSetController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<DeploymentController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<StatefulSetController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<DaemonSetController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<JobController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<CronJobController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<TtlAfterFinishedController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<NodeLifecycleController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<PodGarbageCollector>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<HorizontalPodAutoscalerController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<LocalPathVolumes>();
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<PersistentVolumeController>(sp, KubeApiOptions.DefaultCluster));
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<DisruptionController>(sp, KubeApiOptions.DefaultCluster));
        services.AddHostedService<ControllerHost>();
        services.AddHostedService<KubeconfigWriter>();
        return services;
    }

    /// <summary>Adds the HTTPS listener, serving the install's certificate and asking clients for theirs.</summary>
    public static void ListenKubernetesApi(this KestrelServerOptions kestrel, KubeApiOptions options)
    {
        kestrel.Listen(options.Address, options.Port, listen =>
        {
            listen.Use(next => connection =>
            {
                var items = connection.Features.Get<IConnectionItemsFeature>()!.Items;
                items[ConnectionMarker] = true;
                items[ConnectionAuthentication.Key] = new ConnectionAuthentication();
                return next(connection);
            });
            listen.UseHttps(https =>
            {
                https.ServerCertificate = kestrel.ApplicationServices.GetRequiredService<ClusterPki>().Server;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate(); // checked against the install's CA by the authenticator
            });
        });
    }

    /// <summary>Routes requests that arrived on the Kubernetes listener to the Kubernetes API.</summary>
    public static IApplicationBuilder MapKubernetesApi(this IApplicationBuilder app) =>
        app.MapWhen(IsKubernetesConnection, kube =>
        {
            var endpoint = kube.ApplicationServices.GetRequiredService<KubeApiEndpoint>();
            kube.Map(KubeApiEndpoint.PathBase, clusters => clusters.Run(endpoint.HandleAsync));
            kube.Run(context => KubeResponse.WriteErrorAsync(context, KubeApiException.UnknownResource()));
        });

    private static bool IsKubernetesConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionMarker) == true;
}
