namespace Berth.Client.Aws;

/// <summary>Who the credentials belong to: checked before anything is made, so wrong keys change nothing.</summary>
public sealed class StsApi(AwsClient client)
{
    public async Task<(string Account, string Arn)> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        var result = await client.QueryAsync("sts", "2011-06-15", "GetCallerIdentity", [], cancellationToken);
        return (AwsClient.Child(result, "Account")!, AwsClient.Child(result, "Arn")!);
    }
}
