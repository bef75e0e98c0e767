using System.Xml;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Iam;

/// <summary>IAM's OpenID Connect provider actions: the issuers whose tokens <c>AssumeRoleWithWebIdentity</c> accepts.</summary>
internal sealed class IamOidcActions(IamDirectory directory, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Actions =
        ["CreateOpenIDConnectProvider", "GetOpenIDConnectProvider", "ListOpenIDConnectProviders", "DeleteOpenIDConnectProvider"];

    public Task<Action<XmlWriter>> HandleAsync(string action, string account, Dictionary<string, string> parameters, CancellationToken cancellationToken) => action switch
    {
        "CreateOpenIDConnectProvider" => CreateAsync(account, parameters, cancellationToken),
        "GetOpenIDConnectProvider" => GetAsync(account, parameters, cancellationToken),
        "ListOpenIDConnectProviders" => ListAsync(account, cancellationToken),
        _ => DeleteAsync(account, parameters, cancellationToken),
    };

    private async Task<Action<XmlWriter>> CreateAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var url = parameters.GetValueOrDefault("Url") ?? throw IamService.Missing("url");
        if (!url.StartsWith("https://", StringComparison.Ordinal) || url.Length > 255 || !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            throw new AwsException("InvalidInput", "Url must be a valid https URL of at most 255 characters.");
        }
        var provider = new OidcProvider
        {
            AccountId = account,
            Url = url["https://".Length..].TrimEnd('/'),
            ClientIds = QueryProtocol.List(parameters, "ClientIDList.member"),
            Thumbprints = QueryProtocol.List(parameters, "ThumbprintList.member"),
            CreateDate = time.GetUtcNow(),
            Tags = IamService.Tags(parameters),
        };
        await directory.CreateOidcProviderAsync(provider, cancellationToken);
        return xml => xml.WriteElementString("OpenIDConnectProviderArn", provider.Arn);
    }

    private async Task<Action<XmlWriter>> GetAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var provider = await FindAsync(account, parameters, cancellationToken);
        return xml =>
        {
            xml.WriteElementString("Url", provider.Url);
            xml.WriteStartElement("ClientIDList");
            foreach (var id in provider.ClientIds)
            {
                xml.WriteElementString("member", id);
            }
            xml.WriteEndElement();
            xml.WriteStartElement("ThumbprintList");
            foreach (var thumbprint in provider.Thumbprints)
            {
                xml.WriteElementString("member", thumbprint);
            }
            xml.WriteEndElement();
            xml.WriteElementString("CreateDate", IamXml.Date(provider.CreateDate));
        };
    }

    private async Task<Action<XmlWriter>> ListAsync(string account, CancellationToken cancellationToken)
    {
        var providers = await directory.ListOidcProvidersAsync(account, cancellationToken);
        return xml =>
        {
            xml.WriteStartElement("OpenIDConnectProviderList");
            foreach (var provider in providers)
            {
                xml.WriteStartElement("member");
                xml.WriteElementString("Arn", provider.Arn);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        };
    }

    private async Task<Action<XmlWriter>> DeleteAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        await directory.DeleteOidcProviderAsync(await FindAsync(account, parameters, cancellationToken), cancellationToken);
        return _ => { };
    }

    private async Task<OidcProvider> FindAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var arn = parameters.GetValueOrDefault("OpenIDConnectProviderArn") ?? throw IamService.Missing("openIDConnectProviderArn");
        var prefix = $"arn:aws:iam::{account}:oidc-provider/";
        return arn.StartsWith(prefix, StringComparison.Ordinal) && await directory.FindOidcProviderAsync(account, arn[prefix.Length..], cancellationToken) is { } provider
            ? provider
            : throw IamDirectory.NoSuchOidcProvider(arn);
    }
}
