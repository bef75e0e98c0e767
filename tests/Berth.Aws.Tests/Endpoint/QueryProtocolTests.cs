using Berth.Aws.Endpoint;

namespace Berth.Aws.Tests.Endpoint;

public sealed class QueryProtocolTests
{
    [Fact]
    public void List_ReadsIndexedParametersInIndexOrder_IgnoringOthers()
    {
        var parameters = new Dictionary<string, string>
        {
            ["InstanceId.10"] = "j",
            ["InstanceId.2"] = "b",
            ["InstanceId.1"] = "a",
            ["InstanceIdX.1"] = "no",
            ["InstanceId.x"] = "no",
            ["Names.member.1"] = "first",
        };
        Assert.Equal(["a", "b", "j"], QueryProtocol.List(parameters, "InstanceId"));
        Assert.Equal(["first"], QueryProtocol.List(parameters, "Names.member"));
        Assert.Empty(QueryProtocol.List(parameters, "Missing"));
    }

    [Fact]
    public void Structures_GroupMembersByIndex_NestedListsKeptAsTheirOwnNames()
    {
        var parameters = new Dictionary<string, string>
        {
            ["Filters.member.2.Name"] = "tag-key",
            ["Filters.member.2.Values.member.1"] = "k8s.io/cluster-autoscaler/enabled",
            ["Filters.member.1.Name"] = "tag:team",
            ["Filters.member.1.Values.member.1"] = "web",
            ["Filters.member.1.Values.member.2"] = "api",
        };
        var filters = QueryProtocol.Structures(parameters, "Filters.member");
        Assert.Equal(["tag:team", "tag-key"], filters.Select(f => f["Name"]));
        Assert.Equal(["web", "api"], QueryProtocol.List(filters[0], "Values.member"));
    }
}
