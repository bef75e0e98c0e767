using System.Globalization;
using System.Security.Cryptography;
using Berth.Aws.Endpoint;
using Berth.Store;

namespace Berth.Aws.Ec2;

/// <summary>
/// EC2 instances in the store, and their private addresses: each address is a key of its own under
/// <c>/aws/ec2/addresses/</c>, made with a create that fails when taken, so no two instances of the installation share
/// one (nor, so, the loopback address their nodes listen on).
/// </summary>
public sealed class Ec2Instances(IStore store, TimeProvider time)
{
    public const string RootPrefix = "/aws/ec2/instances/";
    private const string AddressPrefix = "/aws/ec2/addresses/";

    /// <summary>Addresses 10.0.1.1 to 10.0.254.254: one octet for the subnet's third, one for the host.</summary>
    private const int AddressCount = 254 * 254;

    public static string Prefix(string accountId, string region) => $"{RootPrefix}{accountId}/{region}/";

    public static string Key(Ec2Instance instance) => Prefix(instance.AccountId, instance.Region) + instance.InstanceId;

    public Task<Ec2Instance?> FindAsync(string accountId, string region, string id, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, Prefix(accountId, region) + id, Ec2Json.Default.Ec2Instance, cancellationToken);

    public Task<List<Ec2Instance>> ListAsync(string accountId, string region, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, Prefix(accountId, region), Ec2Json.Default.Ec2Instance, cancellationToken);

    public Task<List<Ec2Instance>> ListAllAsync(CancellationToken cancellationToken) =>
        StoredDocuments.ListAllAsync(store, RootPrefix, Ec2Json.Default.Ec2Instance, cancellationToken);

    /// <summary>Launches an instance: pending, with a private address of its own; the instance controller boots it.</summary>
    public async Task<Ec2Instance> LaunchAsync(string accountId, string region, string instanceType, string availabilityZone,
        IReadOnlyDictionary<string, string> tags, NodeBootstrap? node, CancellationToken cancellationToken, bool fargate = false)
    {
        var id = "i-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(9))[..17];
        var address = await TakeAddressAsync(id, cancellationToken);
        var instance = new Ec2Instance
        {
            AccountId = accountId,
            Region = region,
            InstanceId = id,
            InstanceType = instanceType,
            State = "pending",
            LaunchTime = time.GetUtcNow(),
            PrivateIpAddress = address,
            AvailabilityZone = availabilityZone,
            Tags = tags,
            Node = node,
            Fargate = fargate,
        };
        try
        {
            await StoredDocuments.CreateAsync(store, Key(instance), instance, Ec2Json.Default.Ec2Instance,
                () => new AwsException("InternalError", "An instance of that id exists already", 500, senderFault: false), cancellationToken);
        }
        catch
        {
            await ReleaseAddressAsync(instance, cancellationToken);
            throw;
        }
        return instance;
    }

    public Task<Ec2Instance> UpdateAsync(Ec2Instance instance, Func<Ec2Instance, Ec2Instance> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Key(instance), Ec2Json.Default.Ec2Instance, change, () => NotFound(instance.InstanceId), cancellationToken);

    /// <summary>Forgets a terminated instance, whose address was freed at its termination.</summary>
    public Task DeleteAsync(Ec2Instance instance, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, Key(instance), () => NotFound(instance.InstanceId), cancellationToken);

    /// <summary>
    /// Frees a terminating instance's address while its record stays visible, as EC2 shows terminated instances for a
    /// while; only if the address is still this instance's, so a second release never frees a successor's.
    /// </summary>
    public async Task ReleaseAddressAsync(Ec2Instance instance, CancellationToken cancellationToken)
    {
        var key = AddressPrefix + instance.PrivateIpAddress;
        if (await store.GetAsync(key, cancellationToken: cancellationToken) is { } entry
            && System.Text.Encoding.UTF8.GetString(entry.Value.Span) == $"\"{instance.InstanceId}\"")
        {
            try
            {
                await store.DeleteAsync(key, entry.ModRevision, cancellationToken);
            }
            catch (StoreException e) when (e.Code is StoreErrorCode.KeyNotFound or StoreErrorCode.Conflict)
            {
                // freed meanwhile, and perhaps taken again
            }
        }
    }

    public static AwsException NotFound(string id) => new("InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");

    private async Task<string> TakeAddressAsync(string instanceId, CancellationToken cancellationToken)
    {
        var start = RandomNumberGenerator.GetInt32(AddressCount);
        for (var i = 0; i < AddressCount; i++)
        {
            var n = (start + i) % AddressCount;
            var address = string.Create(CultureInfo.InvariantCulture, $"10.0.{1 + (n / 254)}.{1 + (n % 254)}");
            try
            {
                await store.CreateAsync(AddressPrefix + address, System.Text.Encoding.UTF8.GetBytes($"\"{instanceId}\""), cancellationToken);
                return address;
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
            {
                // taken: the next one
            }
        }
        throw new AwsException("InsufficientInstanceCapacity", "There are no private addresses left for another instance.", 500, senderFault: false);
    }
}
