using Berth.Registry.Content;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Registry.Distribution;

/// <summary>Puts the registry on the server's host; the host supplies <see cref="IRegistryAccess"/> (ECR does).</summary>
public static class RegistryHosting
{
    /// <summary>The registry with its blobs under <paramref name="root"/> (the data folder's <c>registry</c>).</summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, string root)
    {
        services.AddSingleton(sp => new BlobStore(root, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RepositoryContent>();
        services.AddSingleton<GarbageCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<GarbageCollector>());
        services.AddSingleton<BlobRequests>();
        services.AddSingleton<UploadRequests>();
        services.AddSingleton<ManifestRequests>();
        services.AddSingleton<TagRequests>();
        services.AddSingleton<ReferrerRequests>();
        services.AddSingleton<TokenRequests>();
        services.AddSingleton<RegistryEndpoint>();
        return services;
    }

    /// <summary>Everything under <c>/v2</c> is the registry's, before the AWS endpoint sees the request.</summary>
    public static IApplicationBuilder MapRegistry(this IApplicationBuilder app)
    {
        var endpoint = app.ApplicationServices.GetRequiredService<RegistryEndpoint>();
        return app.MapWhen(context => context.Request.Path.StartsWithSegments("/v2"), registry => registry.Run(endpoint.HandleAsync));
    }
}
