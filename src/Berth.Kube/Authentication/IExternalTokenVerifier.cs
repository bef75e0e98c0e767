namespace Berth.Kube.Authentication;

/// <summary>
/// Verifies bearer tokens an outside identity provider vouches for, as kube-apiserver asks a webhook such as EKS's
/// aws-iam-authenticator: the AWS face fills it for the tokens <c>aws eks get-token</c> prints.
/// </summary>
public interface IExternalTokenVerifier
{
    /// <summary>The AWS identity a token proves for <paramref name="cluster"/>, or null when it is not a valid token of this kind.</summary>
    Task<AwsIdentity?> VerifyAsync(string cluster, string token, CancellationToken cancellationToken);
}

/// <summary>
/// An AWS principal: its account, its ARN as STS names it (<c>…:assumed-role/&lt;role&gt;/&lt;session&gt;</c> for a role
/// session), and the ARN that maps it (the role's own ARN for a session), with the session's name.
/// </summary>
public sealed record AwsIdentity(string AccountId, string Arn, string CanonicalArn, string? SessionName);
