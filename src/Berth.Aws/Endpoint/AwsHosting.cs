using Berth.Aws.Accounts;
using Berth.Aws.AutoScaling;
using Berth.Aws.Ec2;
using Berth.Aws.Ecr;
using Berth.Aws.Eks;
using Berth.Aws.Iam;
using Berth.Aws.Sts;
using Berth.Kube.Authentication;
using Berth.Kube.Clusters;
using Berth.Registry.Distribution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Berth.Aws.Endpoint;

/// <summary>Puts the AWS endpoint and its services on the server's host.</summary>
public static class AwsHosting
{
    /// <summary>
    /// The AWS endpoint and its services, with the account's profile written to <paramref name="dataDirectory"/>;
    /// <paramref name="accountId"/> is the account a new installation is made with (else 000000000000).
    /// </summary>
    public static IServiceCollection AddAwsEndpoint(this IServiceCollection services, string dataDirectory, string? accountId = null,
        InstanceProviderOptions? instances = null)
    {
        services.AddSingleton<AccessKeys>();
        services.AddHostedService<SessionKeySweeper>();
        services.AddSingleton<IAwsService, StsService>();
        services.AddSingleton<IamDirectory>();
        services.AddSingleton<IdentityAuthorizer>();
        services.AddSingleton<IamPolicyActions>();
        services.AddSingleton<IamRoleActions>();
        services.AddSingleton<IamOidcActions>();
        services.AddSingleton<IAwsService, IamService>();
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
        services.AddSingleton<IExternalTokenVerifier, EksTokenVerifier>();
        services.AddSingleton<EksClusters>();
        services.AddSingleton<Nodegroups>();
        services.AddSingleton<FargateProfiles>();
        services.AddSingleton<ClusterOperations>();
        services.AddSingleton<ClusterUpdates>();
        services.AddSingleton<NodegroupOperations>();
        services.AddSingleton<FargateOperations>();
        services.AddSingleton<EksTagging>();
        services.AddSingleton<AccessEntries>();
        services.AddSingleton<IAccessEntries>(sp => sp.GetRequiredService<AccessEntries>());
        services.AddSingleton<AccessEntryOperations>();
        services.AddSingleton<IAwsService, EksService>();
        services.AddHostedService<EksClusterController>();
        services.AddHostedService<NodegroupController>();
        services.AddHostedService<FargateProfileController>();
        services.AddSingleton<IPodAdmission, FargateAdmission>();
        services.AddSingleton<IPodAdmission, PodIdentityAdmission>();
        services.AddSingleton<INodeProvisioner, FargateProvisioner>();
        services.AddSingleton<AutoScalingGroups>();
        services.AddHostedService<AutoScalingController>();
        services.AddSingleton<IAwsService, AutoScalingService>();
        services.AddSingleton<Ec2Instances>();
        services.AddSingleton<IAwsService, Ec2Service>();
        services.AddSingleton(instances ?? new InstanceProviderOptions(["berth"], dataDirectory));
        services.AddSingleton<LocalProcessInstanceProvider>();
        services.AddSingleton<IInstanceProvider>(sp => sp.GetRequiredService<LocalProcessInstanceProvider>());
        services.AddHostedService(sp => sp.GetRequiredService<LocalProcessInstanceProvider>());
        services.AddHostedService<InstanceController>();
        services.AddSingleton<AwsEndpoint>();
        services.AddHostedService(sp => new AwsProfileWriter(sp.GetRequiredService<AccessKeys>(), sp.GetRequiredService<IServer>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), dataDirectory, accountId));
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
