using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Hosting;
using Berth.Kube.Pki;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Berth.Kube.Authentication;

/// <summary>What a valid service-account token says: whose it is, and the uid of the account it was issued for.</summary>
internal sealed record ServiceAccountClaims(string Namespace, string Name, string Uid);

/// <summary>A token an issuer of this installation signed, as a relying party (STS) reads it: for any audience.</summary>
public sealed record WebIdentity(string Issuer, string Subject, IReadOnlyList<string> Audiences, DateTimeOffset Expires);

/// <summary>
/// Service-account tokens as kube-apiserver issues them: ES256 JWTs signed with the install's service-account key
/// (its <c>kid</c> the key's thumbprint), with the Kubernetes claims (<c>sub</c> <c>system:serviceaccount:ns:name</c>,
/// and <c>kubernetes.io</c> naming the namespace and account). Each cluster is an OIDC issuer of its own, its API's URL
/// (as an EKS cluster's issuer is), serving the discovery document and the key set there; before the server listens,
/// and for tokens issued earlier, the issuer is <see cref="LegacyIssuer"/>. The API accepts only tokens meant for it:
/// audience and issuer the cluster's own.
/// </summary>
public sealed class ServiceAccountTokens
{
    /// <summary>The issuer of tokens made before the cluster's URL is known, and an audience every cluster accepts.</summary>
    public const string LegacyIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>How long a token lives when the request names no expiry, and at least, as kube-apiserver's defaults.</summary>
    public const long DefaultExpirationSeconds = 3600;
    public const long MinExpirationSeconds = 600;

    private readonly ECDsaSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly ClusterEndpoints _endpoints;
    private readonly TimeProvider _time;

    internal ServiceAccountTokens(ClusterPki pki, ClusterEndpoints endpoints, TimeProvider time)
    {
        _endpoints = endpoints;
        _time = time;
        var parameters = pki.ServiceAccountKey.ExportParameters(includePrivateParameters: false);
        _key = new ECDsaSecurityKey(pki.ServiceAccountKey)
        {
            KeyId = Base64UrlEncoder.Encode(SHA256.HashData([.. parameters.Q.X!, .. parameters.Q.Y!])),
        };
    }

    /// <summary>The cluster's issuer: its API's URL once the server listens.</summary>
    public string IssuerOf(string cluster) => _endpoints.Of(cluster)?.ToString() ?? LegacyIssuer;

    internal (string Token, DateTimeOffset Expires) Issue(string cluster, string ns, string name, string uid, IReadOnlyList<string> audiences, long expirationSeconds)
    {
        var now = _time.GetUtcNow();
        var expires = now.AddSeconds(expirationSeconds);
        var issuer = IssuerOf(cluster);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Subject = new ClaimsIdentity([new Claim("sub", $"system:serviceaccount:{ns}:{name}")]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["aud"] = audiences.Count > 0 ? audiences.ToArray() : [issuer],
                ["kubernetes.io"] = new Dictionary<string, object>
                {
                    ["namespace"] = ns,
                    ["serviceaccount"] = new Dictionary<string, object> { ["name"] = name, ["uid"] = uid },
                },
            },
        };
        return (_handler.CreateToken(descriptor), expires);
    }

    /// <summary>The claims of a token the cluster's API accepts, or null for any other token.</summary>
    internal async Task<ServiceAccountClaims?> ValidateAsync(string cluster, string token)
    {
        string[] accepted = [IssuerOf(cluster), LegacyIssuer];
        if (await ValidAsync(token, accepted, accepted) is not { } jwt)
        {
            return null;
        }
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload))?["kubernetes.io"];
        var ns = claims?["namespace"].AsText();
        var name = claims?["serviceaccount"]?["name"].AsText();
        var uid = claims?["serviceaccount"]?["uid"].AsText();
        return ns is null || name is null || uid is null ? null : new ServiceAccountClaims(ns, name, uid);
    }

    /// <summary>
    /// A token one of this installation's issuers signed and that has not expired, whatever its audience, as a relying
    /// party that fetched the issuer's key set would accept it; null otherwise.
    /// </summary>
    public async Task<WebIdentity?> ValidateForAnyAudienceAsync(string token)
    {
        if (await ValidAsync(token, issuers: null, audiences: null) is not { } jwt)
        {
            return null;
        }
        var audiences = jwt.Audiences.ToList();
        return new WebIdentity(jwt.Issuer, jwt.Subject, audiences, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    private async Task<JsonWebToken?> ValidAsync(string token, string[]? issuers, string[]? audiences)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuers = issuers,
            ValidateIssuer = issuers is not null,
            ValidAudiences = audiences,
            ValidateAudience = audiences is not null,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) =>
                (notBefore is null || notBefore <= _time.GetUtcNow().UtcDateTime.AddSeconds(30)) && expires > _time.GetUtcNow().UtcDateTime,
        });
        return result.IsValid && result.SecurityToken is JsonWebToken jwt ? jwt : null;
    }

    /// <summary>The cluster's OpenID discovery document, as kube-apiserver serves it at <c>/.well-known/openid-configuration</c>.</summary>
    internal JsonObject DiscoveryDocument(string cluster)
    {
        var issuer = IssuerOf(cluster);
        return new JsonObject
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer.TrimEnd('/') + "/openid/v1/jwks",
            ["response_types_supported"] = new JsonArray("id_token"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("ES256"),
        };
    }

    /// <summary>The key set tokens are checked with: the service-account key's public half.</summary>
    internal JsonObject KeySet()
    {
        var parameters = _key.ECDsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["use"] = "sig",
                ["kty"] = "EC",
                ["kid"] = _key.KeyId,
                ["crv"] = "P-256",
                ["alg"] = "ES256",
                ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
                ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            }),
        };
    }
}
