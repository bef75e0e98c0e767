using Berth.Aws.Endpoint;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Sts;

/// <summary>AWS Security Token Service (Query protocol, version 2011-06-15): who the caller is.</summary>
public sealed class StsService : IAwsService
{
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    private const string Version = "2011-06-15";

    public string SigningName => "sts";

    public AwsProtocol Protocol => AwsProtocol.Query;

    public Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var parameters = QueryProtocol.Parameters(request);
        var action = parameters.GetValueOrDefault("Action") ?? throw new AwsException("MissingAction", "Missing Action");
        return action switch
        {
            "GetCallerIdentity" => QueryProtocol.WriteResultAsync(request.Http.Response, Namespace, action, request.RequestId, xml =>
            {
                xml.WriteElementString("Arn", request.Caller.Arn);
                xml.WriteElementString("UserId", request.Caller.UserName is null ? request.Caller.AccountId : request.Caller.AccessKeyId);
                xml.WriteElementString("Account", request.Caller.AccountId);
            }, cancellationToken),
            _ => throw new AwsException("InvalidAction", $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version") ?? Version}"),
        };
    }

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        QueryProtocol.WriteErrorAsync(response, Namespace, failure, requestId, cancellationToken);
}
