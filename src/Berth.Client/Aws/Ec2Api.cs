namespace Berth.Client.Aws;

/// <summary>EC2's availability zones and instance types: where a cluster's nodes may be placed, and what they may be.</summary>
public sealed class Ec2Api(AwsClient client)
{
    public async Task<List<string>> AvailabilityZonesAsync(CancellationToken cancellationToken)
    {
        var answer = await client.QueryAsync("ec2", "2016-11-15", "DescribeAvailabilityZones", [], cancellationToken);
        return [.. answer.Descendants().Where(e => e.Name.LocalName == "zoneName").Select(e => e.Value)];
    }

    public async Task<List<string>> InstanceTypesAsync(CancellationToken cancellationToken)
    {
        var answer = await client.QueryAsync("ec2", "2016-11-15", "DescribeInstanceTypes", [], cancellationToken);
        return [.. answer.Descendants().Where(e => e.Name.LocalName == "instanceType").Select(e => e.Value)];
    }
}
