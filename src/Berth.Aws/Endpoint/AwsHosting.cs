using Berth.Aws.Accounts;
using Berth.Aws.Ecr;
using Berth.Aws.Sts;
using Berth.Registry.Distribution;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Aws.Endpoint;

/// <summary>Puts the AWS endpoint and its services on the server's host.</summary>
public static class AwsHosting
{
    public static IServiceCollection AddAwsEndpoint(this IServiceCollection services, string dataDirectory)
    {
        services.AddSingleton<AccessKeys>();
        services.AddSingleton<IAwsService, StsService>();
        services.AddSingleton<Repositories>();
        services.AddSingleton<AuthorizationTokens>();
        services.AddSingleton<IRegistryAccess, EcrRegistryAccess>();
        services.AddSingleton<Images>();
        services.AddSingleton<RepositoryOperations>();
        services.AddSingleton<ImageOperations>();
        services.AddSingleton<LayerOperations>();
        services.AddSingleton<LifecyclePolicyController>();
        services.AddHostedService(sp => sp.GetRequiredService<LifecyclePolicyController>());
        services.AddSingleton<PolicyOperations>();
        services.AddSingleton<IAwsService, EcrService>();
        services.AddSingleton<AwsEndpoint>();
        services.AddHostedService(sp => new RootCredentialsWriter(sp.GetRequiredService<AccessKeys>(), dataDirectory));
        return services;
    }

    public static IApplicationBuilder MapAwsEndpoint(this IApplicationBuilder app)
    {
        var endpoint = app.ApplicationServices.GetRequiredService<AwsEndpoint>();
        return app.MapWhen(AwsEndpoint.IsAwsRequest, aws => aws.Run(endpoint.HandleAsync));
    }

    /// <summary>The store keys whose values are secret and sealed at rest: access keys.</summary>
    public static bool IsSealed(string key) => key.StartsWith(AccessKeys.Prefix, StringComparison.Ordinal);
}
