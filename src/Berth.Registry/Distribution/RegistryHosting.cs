using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Registry.Distribution;

/// <summary>Puts the registry on the server's host.</summary>
public static class RegistryHosting
{
    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
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
