using System.Security.Claims;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Pki;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Berth.Kube.Authentication;

/// <summary>What a valid service-account token says: whose it is, and the uid of the account it was issued for.</summary>
internal sealed record ServiceAccountClaims(string Namespace, string Name, string Uid);

/// <summary>
/// Service-account tokens as kube-apiserver issues them: ES256 JWTs signed with the install's service-account
/// key, with the Kubernetes claims (<c>sub</c> <c>system:serviceaccount:ns:name</c>, and <c>kubernetes.io</c> naming
/// the namespace and account). The API accepts only tokens meant for it: audience and issuer its own.
/// </summary>
internal sealed class ServiceAccountTokens(ClusterPki pki, TimeProvider time)
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>How long a token lives when the request names no expiry, and at least, as kube-apiserver's defaults.</summary>
    public const long DefaultExpirationSeconds = 3600;
    public const long MinExpirationSeconds = 600;

    private readonly ECDsaSecurityKey _key = new(pki.ServiceAccountKey);
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public (string Token, DateTimeOffset Expires) Issue(string ns, string name, string uid, IReadOnlyList<string> audiences, long expirationSeconds)
    {
        var now = time.GetUtcNow();
        var expires = now.AddSeconds(expirationSeconds);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Subject = new ClaimsIdentity([new Claim("sub", $"system:serviceaccount:{ns}:{name}")]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["aud"] = audiences.Count > 0 ? audiences.ToArray() : [Issuer],
                ["kubernetes.io"] = new Dictionary<string, object>
                {
                    ["namespace"] = ns,
                    ["serviceaccount"] = new Dictionary<string, object> { ["name"] = name, ["uid"] = uid },
                },
            },
        };
        return (_handler.CreateToken(descriptor), expires);
    }

    /// <summary>The claims of a token this API accepts, or null for any other token.</summary>
    public async Task<ServiceAccountClaims?> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Issuer,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) =>
                (notBefore is null || notBefore <= time.GetUtcNow().UtcDateTime.AddSeconds(30)) && expires > time.GetUtcNow().UtcDateTime,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload))?["kubernetes.io"];
        var ns = claims?["namespace"].AsText();
        var name = claims?["serviceaccount"]?["name"].AsText();
        var uid = claims?["serviceaccount"]?["uid"].AsText();
        return ns is null || name is null || uid is null ? null : new ServiceAccountClaims(ns, name, uid);
    }
}
