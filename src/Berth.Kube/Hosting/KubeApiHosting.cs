using Berth.Kube.Api;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Clusters;
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
        // the install's: one CA, one service-account key, one listener for every cluster
        services.AddSingleton(options);
        services.AddSingleton(sp => ClusterPki.LoadOrCreate(options.DataDirectory, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ClientCertificateAuthenticator>();
        services.AddSingleton(sp => new ServiceAccountTokens(sp.GetRequiredService<ClusterPki>(), sp.GetRequiredService<ClusterEndpoints>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(ModelDocumentation.Shared);
        services.AddSingleton<IObjectAllocator, ServiceAllocator>();
        services.AddSingleton<WatchProgress>();
        services.AddSingleton<KubeletConnections>();
        services.AddSingleton<LocalPathVolumes>();
        services.AddSingleton<PodCidrs>();
        services.AddSingleton<ClusterRecords>();
        services.AddSingleton<ClusterEndpoints>();
        services.AddSingleton<ServedClusters>();
        services.AddSingleton(sp => new ClusterControl(sp.GetRequiredService<ServedClusters>()));
        services.AddSingleton<KubeApiEndpoint>();
        services.AddHostedService<ClusterHost>();
        services.AddHostedService<KubeconfigWriter>();

        // each cluster's, in the service scope that is the cluster (ServedCluster)
        services.AddScoped<ClusterScope>();
        services.AddScoped(_ => ResourceRegistry.BuiltIn());
        services.AddScoped<SharedInformers>();
        services.AddScoped<AwsAuthMapping>();
        services.AddScoped<RequestAuthenticator>();
        services.AddPerCluster<RbacPolicy>(isController: true);
        services.AddScoped<RbacAuthorizer>();
        services.AddScoped<Impersonation>();
        services.AddScoped<DiscoveryDocuments>();
        services.AddScoped<AggregatedDiscovery>();
        services.AddScoped<DiscoveryEndpoint>();
        services.AddScoped<OpenApiV3Documents>();
        services.AddScoped<OpenApiV2Document>();
        services.AddScoped<OpenApiEndpoint>();
        services.AddPerCluster<NamespaceLister>(isController: true);
        services.AddPerCluster<PriorityClassLister>(isController: true);
        services.AddPerCluster<ServiceAccountLister>(isController: true);
        services.AddScoped<UsageSamples>();
        services.AddScoped<ResourceMetrics>();
        services.AddScoped<IComputedObjects>(sp => sp.GetRequiredService<ResourceMetrics>());
        services.AddScoped<ResourceHandler>();
        services.AddScoped<EventRecorder>();
        services.AddPerCluster<ClusterBootstrap>();
        services.AddPerCluster<CloudOperations>();
        services.AddController<MetricsScraper>();
        services.AddController<GarbageCollector>();
        services.AddController<NamespaceController>();
        services.AddController<CustomResourceDefinitionController>();
        services.AddController<ServiceAccountController>();
        services.AddController<Scheduler>();
        services.AddController<ProvisionedNodeScheduler>();
        services.AddController<ReplicaSetController>();
        services.AddController<DeploymentController>();
        services.AddController<StatefulSetController>();
        services.AddController<DaemonSetController>();
        services.AddController<JobController>();
        services.AddController<CronJobController>();
        services.AddController<TtlAfterFinishedController>();
        services.AddController<NodeLifecycleController>();
        services.AddController<NodeIpamController>();
        services.AddController<Controllers.Networking.EndpointsController>();
        services.AddController<Controllers.Networking.EndpointSliceController>();
        services.AddController<Controllers.Networking.LoadBalancerController>();
        services.AddController<PodGarbageCollector>();
        services.AddController<HorizontalPodAutoscalerController>();
        services.AddController<PersistentVolumeController>();
        services.AddController<DisruptionController>();
        return services;
    }

    /// <summary>A per-cluster service made with its cluster's name; a controller is also run with the cluster's others.</summary>
    private static void AddPerCluster<T>(this IServiceCollection services, bool isController = false) where T : class
    {
        services.AddScoped(sp => ActivatorUtilities.CreateInstance<T>(sp, sp.GetRequiredService<ClusterScope>().Name));
        if (isController)
        {
            services.AddScoped(sp => (IController)sp.GetRequiredService<T>());
        }
    }

    private static void AddController<T>(this IServiceCollection services) where T : class, IController =>
        services.AddScoped<IController>(sp => ActivatorUtilities.CreateInstance<T>(sp, sp.GetRequiredService<ClusterScope>().Name));

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
