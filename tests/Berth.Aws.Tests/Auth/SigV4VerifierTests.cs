using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Aws.Auth;

namespace Berth.Aws.Tests.Auth;

public sealed class SigV4VerifierTests
{
    // The "get-vanilla" case of AWS's Signature Version 4 test suite.
    private const string ExampleKey = "AKIDEXAMPLE";
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string ExampleSignature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    private static readonly DateTimeOffset s_exampleTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SigV4Verifier Verifier(DateTimeOffset now, string key = ExampleKey, string secret = ExampleSecret) =>
        new((accessKey, _) => ValueTask.FromResult(accessKey == key ? secret : null), new FixedClock(now));

    private static SignedRequest Vanilla(string signature = ExampleSignature, string credential = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
        string date = "20150830T123600Z", string signedHeaders = "host;x-amz-date") => new()
        {
            Method = "GET",
            RawPath = "/",
            Headers =
        [
            new("Host", ["example.amazonaws.com"]),
            new("X-Amz-Date", [date]),
            new("Authorization", [$"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signedHeaders}, Signature={signature}"]),
        ],
            PayloadHash = SigV4.EmptyPayloadHash,
        };

    [Fact]
    public async Task AcceptsTheTestSuitesVanillaRequest()
    {
        var result = (await Verifier(s_exampleTime).VerifyAsync(Vanilla(), Ct));

        Assert.Null(result.Failure);
        Assert.Equal(new SigV4Identity(ExampleKey, "us-east-1", "service", s_exampleTime), result.Identity);
    }

    [Fact]
    public async Task RefusesAChangedSignatureAMethodChangedAfterSigningAndAWrongSecret()
    {
        var tampered = (await Verifier(s_exampleTime).VerifyAsync(Vanilla(signature: ExampleSignature[..^1] + "0"), Ct));
        var otherMethod = (await Verifier(s_exampleTime).VerifyAsync(Vanilla() with { Method = "DELETE" }, Ct));
        var otherSecret = (await Verifier(s_exampleTime, secret: "another-secret").VerifyAsync(Vanilla(), Ct));

        foreach (var result in new[] { tampered, otherMethod, otherSecret })
        {
            Assert.Equal(SigV4Failure.Mismatch, result.Failure);
            Assert.StartsWith("The request signature we calculated does not match", result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RefusesAnUnknownAccessKey()
    {
        var result = (await Verifier(s_exampleTime, key: "AKIDOTHER").VerifyAsync(Vanilla(), Ct));

        Assert.Equal(SigV4Failure.UnknownAccessKey, result.Failure);
        Assert.Equal("The security token included in the request is invalid.", result.Message);
    }

    [Theory]
    [InlineData(-16, "Signature not yet current: 20150830T123600Z is still later than")]
    [InlineData(16, "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)")]
    public async Task RefusesRequestsSignedMoreThanFifteenMinutesAway(int minutesLater, string message)
    {
        Assert.Null((await Verifier(s_exampleTime.AddMinutes(minutesLater > 0 ? 14 : -14)).VerifyAsync(Vanilla(), Ct)).Failure);

        var result = (await Verifier(s_exampleTime.AddMinutes(minutesLater)).VerifyAsync(Vanilla(), Ct));

        Assert.Equal(SigV4Failure.Expired, result.Failure);
        Assert.StartsWith(message, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesMissingAndIncompleteAuthorization()
    {
        var none = Vanilla() with { Headers = [new("Host", ["example.amazonaws.com"])] };
        Assert.Equal(SigV4Failure.Missing, (await Verifier(s_exampleTime).VerifyAsync(none, Ct)).Failure);

        var noSignature = Vanilla() with
        {
            Headers = [new("Host", ["h"]), new("X-Amz-Date", ["20150830T123600Z"]), new("Authorization", ["AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"])],
        };
        var incomplete = (await Verifier(s_exampleTime).VerifyAsync(noSignature, Ct));
        Assert.Equal(SigV4Failure.Incomplete, incomplete.Failure);
        Assert.Contains("Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter.", incomplete.Message, StringComparison.Ordinal);

        Assert.Equal(SigV4Failure.Incomplete, (await Verifier(s_exampleTime).VerifyAsync(Vanilla(credential: "AKIDEXAMPLE/20150830/us-east-1"), Ct)).Failure);
        Assert.Equal(SigV4Failure.Incomplete, (await Verifier(s_exampleTime).VerifyAsync(Vanilla(signedHeaders: "x-amz-date"), Ct)).Failure);
        Assert.Equal(SigV4Failure.Incomplete, (await Verifier(s_exampleTime).VerifyAsync(Vanilla(date: "2015-08-30T12:36:00Z"), Ct)).Failure);
    }

    [Fact]
    public async Task RefusesAScopeDatedOtherThanTheRequest()
    {
        var result = (await Verifier(s_exampleTime).VerifyAsync(Vanilla(credential: "AKIDEXAMPLE/20150831/us-east-1/service/aws4_request"), Ct));

        Assert.Equal(SigV4Failure.Mismatch, result.Failure);
        Assert.Contains("'20150831' != '20150830'", result.Message, StringComparison.Ordinal);
    }

    /// <summary>Requests signed by botocore, the AWS CLI's and boto3's own signer, verify; altered ones do not.</summary>
    [Fact]
    public async Task VerifiesWhatBotocoreSigns()
    {
        const string key = "AKIABERTHTEST0000001";
        const string secret = "berth/test+secret/0123456789abcdefghijklm";
        var verifier = new SigV4Verifier((k, _) => ValueTask.FromResult(k == key ? secret : null), TimeProvider.System);
        var signed = await SignWithBotocoreAsync(key, secret);
        Assert.Equal(5, signed.Count);

        foreach (var request in signed)
        {
            var result = (await verifier.VerifyAsync(request.Request, Ct));
            Assert.True(result.Failure is null, $"{request.Name}: {result.Message}");
            Assert.Equal(key, result.Identity!.AccessKeyId);
            Assert.Equal("us-east-1", result.Identity.Region);

            var altered = (await verifier.VerifyAsync(request.Request with { RawPath = request.Request.RawPath + "x" }, Ct));
            Assert.Equal(SigV4Failure.Mismatch, altered.Failure);
        }
        var presigned = signed.Single(s => s.Name == "presigned").Request;
        Assert.Equal("ecr", (await verifier.VerifyAsync(presigned, Ct)).Identity!.Service);
        var late = new SigV4Verifier((k, _) => ValueTask.FromResult(k == key ? secret : null), new FixedClock(DateTimeOffset.UtcNow.AddMinutes(6)));
        Assert.Equal(SigV4Failure.Expired, (await late.VerifyAsync(presigned, Ct)).Failure); // it was signed for 300 seconds
    }

    private sealed record Signed(string Name, SignedRequest Request);

    private static async Task<List<Signed>> SignWithBotocoreAsync(string key, string secret)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Auth", "sign_with_botocore.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, key, secret })
        {
            start.ArgumentList.Add(argument);
        }
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = python.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await python.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(python.ExitCode == 0, $"python3 with botocore failed (the tests need python3-botocore): {await errors}");

        var signed = new List<Signed>();
        foreach (var item in JsonDocument.Parse(await output).RootElement.EnumerateArray())
        {
            var url = new Uri(item.GetProperty("url").GetString()!);
            var body = item.GetProperty("body").GetString()!;
            var headers = item.GetProperty("headers").EnumerateObject()
                .Select(h => new KeyValuePair<string, IReadOnlyList<string>>(h.Name, [h.Value.GetString()!])).ToList();
            signed.Add(new Signed(item.GetProperty("name").GetString()!, new SignedRequest
            {
                Method = item.GetProperty("method").GetString()!,
                RawPath = url.AbsolutePath,
                RawQuery = url.Query.TrimStart('?'),
                Headers = headers,
                PayloadHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))),
            }));
        }
        return signed;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
