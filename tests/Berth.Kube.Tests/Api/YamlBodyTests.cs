using System.Globalization;
using System.Text;
using Berth.Kube.Api;

namespace Berth.Kube.Tests.Api;

public sealed class YamlBodyTests
{
    [Theory]
    [InlineData("a: yes", """{"a":true}""")]
    [InlineData("a: Off", """{"a":false}""")]
    [InlineData("a: 'yes'", """{"a":"yes"}""")]
    [InlineData("a: ~", """{"a":null}""")]
    [InlineData("a:", """{"a":null}""")]
    [InlineData("a: 0x1F", """{"a":31}""")]
    [InlineData("a: 0o17", """{"a":15}""")]
    [InlineData("a: 017", """{"a":15}""")]
    [InlineData("a: -42", """{"a":-42}""")]
    [InlineData("a: 1.5", """{"a":1.5}""")]
    [InlineData("a: 1.27", """{"a":1.27}""")]
    [InlineData("a: nginx:1.27", """{"a":"nginx:1.27"}""")]
    [InlineData("a: !!str 10", """{"a":"10"}""")]
    [InlineData("1: x", """{"1":"x"}""")]
    [InlineData("a: [1, two, {b: c}]", """{"a":[1,"two",{"b":"c"}]}""")]
    [InlineData("a: &x {b: 1}\nc: *x", """{"a":{"b":1},"c":{"b":1}}""")]
    [InlineData("{\"a\": \"json is yaml\"}", """{"a":"json is yaml"}""")]
    [InlineData("base: &b {x: 1, w: 2}\nc:\n  <<: *b\n  w: 3", """{"base":{"x":1,"w":2},"c":{"x":1,"w":3}}""")]
    [InlineData("c:\n  w: 3\n  <<: [{x: 1, w: 2}, {x: 9, z: 4}]", """{"c":{"w":3,"x":1,"z":4}}""")]
    [InlineData("'<<': 1", """{"\u003C\u003C":1}""")]
    [InlineData("y: 1", """{"true":1}""")]
    public void Parse_ReadsScalarsAsKubernetesDoes(string yaml, string json)
    {
        var node = YamlBody.Parse(Encoding.UTF8.GetBytes(yaml));

        Assert.Equal(json, node!.ToJsonString());
    }

    [Fact]
    public void Parse_Numbers_ConvertToAnyIntegerType_AsParsedJsonDoes()
    {
        var node = YamlBody.Parse("replicas: 3"u8.ToArray())!;

        Assert.Equal(3, node["replicas"]!.GetValue<int>());
        Assert.Equal(3L, node["replicas"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("a: 1\na: 2", "already set in map")]
    [InlineData("a: [1, 2", "error converting YAML to JSON")]
    [InlineData("a: 1\n---\nb: 2", "more than one YAML document")]
    [InlineData("? [a]\n: 1", "a map key must be a scalar")]
    public void Parse_Malformed_IsBadRequest(string yaml, string message)
    {
        var error = Assert.Throws<KubeApiException>(() => YamlBody.Parse(Encoding.UTF8.GetBytes(yaml)));

        Assert.Equal(400, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_IsBadRequest_NotAStackOverflow()
    {
        var yaml = new string('[', 200_000);

        var error = Assert.Throws<KubeApiException>(() => YamlBody.Parse(Encoding.UTF8.GetBytes(yaml)));

        Assert.Equal(400, error.Code);
        Assert.Contains("nested more than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasBomb_IsBadRequest()
    {
        var yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            yaml.Append(CultureInfo.InvariantCulture, $"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n");
        }

        var error = Assert.Throws<KubeApiException>(() => YamlBody.Parse(Encoding.UTF8.GetBytes(yaml.ToString())));

        Assert.Equal(400, error.Code);
        Assert.Contains("excessive aliasing", error.Message, StringComparison.Ordinal);
    }
}
