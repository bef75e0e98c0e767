using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Tests.Api;

public sealed class LabelSelectorTests
{
    private static readonly JsonObject s_web = Labelled("""{"app":"web","tier":"front"}""");
    private static readonly JsonObject s_bare = Labelled(null);

    [Theory]
    [InlineData("", true, true)]
    [InlineData("app=web", true, false)]
    [InlineData("app==web", true, false)]
    [InlineData("app!=web", false, true)]
    [InlineData("app", true, false)]
    [InlineData("!app", false, true)]
    [InlineData("tier in (front,back)", true, false)]
    [InlineData("tier notin (front)", false, true)]
    [InlineData("app=web,tier in (back)", false, false)]
    [InlineData("app = web , tier", true, false)]
    [InlineData("tier in(front)", true, false)]
    [InlineData("example.com/team=", false, false)]
    [InlineData("app=", false, false)]
    public void Matches_LikeKubernetes(string selector, bool matchesWeb, bool matchesBare)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.Equal((matchesWeb, matchesBare), (parsed.Matches(s_web), parsed.Matches(s_bare)));
    }

    [Theory]
    [InlineData("tier in front")]
    [InlineData("=web")]
    [InlineData("a b")]
    [InlineData("app==x y")]
    [InlineData("app in ()")]
    [InlineData("-bad=x")]
    [InlineData("app=web,")]
    [InlineData("app=bad value!")]
    [InlineData("app in (a")]
    public void Parse_Malformed_IsBadRequest(string selector)
    {
        var error = Assert.Throws<KubeApiException>(() => LabelSelector.Parse(selector));

        Assert.Equal(400, error.Code);
    }

    private static JsonObject Labelled(string? labels) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "x", ["labels"] = labels is null ? null : JsonNode.Parse(labels) },
    };
}
