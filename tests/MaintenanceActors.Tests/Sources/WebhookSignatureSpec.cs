using System.Text;
using MaintenanceActors;

namespace MaintenanceActors.Tests.Sources;

public sealed class WebhookSignatureSpec
{
    private const string Secret = "0123456789abcdef-secret";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static WebhookSignature Verifier() => new(Secret, TimeSpan.FromMinutes(5), new FixedTime(Now));

    [Fact]
    public void Must_accept_a_good_signature_once_and_refuse_its_replay()
    {
        var verifier = Verifier();
        var body = Encoding.UTF8.GetBytes("true");
        var ts = Now.ToUnixTimeSeconds();
        var signature = verifier.Sign(ts, body);

        verifier.Verify(ts.ToString(), signature, body).Should().Be(WebhookVerdict.Accepted);
        verifier.Verify(ts.ToString(), signature, body).Should().Be(WebhookVerdict.Replayed);
    }

    [Fact]
    public void Must_match_an_independent_HMAC_over_timestamp_dot_body()
    {
        var body = Encoding.UTF8.GetBytes("""{"enabled":true}""");
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = "sha256=" + Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes("1700000000." + """{"enabled":true}"""))).ToLowerInvariant();
        Verifier().Sign(1700000000, body).Should().Be(expected);
    }

    [Fact]
    public void Must_refuse_a_signature_made_with_another_secret_or_over_another_body()
    {
        var verifier = Verifier();
        var ts = Now.ToUnixTimeSeconds();
        var other = new WebhookSignature("another-secret-entirely", TimeSpan.FromMinutes(5), new FixedTime(Now));
        verifier.Verify(ts.ToString(), other.Sign(ts, "true"u8), "true"u8).Should().Be(WebhookVerdict.BadSignature);
        verifier.Verify(ts.ToString(), verifier.Sign(ts, "false"u8), "true"u8).Should().Be(WebhookVerdict.BadSignature);
        verifier.Verify((ts + 1).ToString(), verifier.Sign(ts, "true"u8), "true"u8).Should().Be(WebhookVerdict.BadSignature);
    }

    [Fact]
    public void Must_refuse_missing_headers_and_bad_or_stale_timestamps()
    {
        var verifier = Verifier();
        var ts = Now.ToUnixTimeSeconds();
        verifier.Verify(null, verifier.Sign(ts, "true"u8), "true"u8).Should().Be(WebhookVerdict.Missing);
        verifier.Verify(ts.ToString(), "", "true"u8).Should().Be(WebhookVerdict.Missing);
        verifier.Verify("yesterday", "sha256=00", "true"u8).Should().Be(WebhookVerdict.BadTimestamp);
        var old = ts - 301;
        verifier.Verify(old.ToString(), verifier.Sign(old, "true"u8), "true"u8).Should().Be(WebhookVerdict.Expired);
        var future = ts + 301;
        verifier.Verify(future.ToString(), verifier.Sign(future, "true"u8), "true"u8).Should().Be(WebhookVerdict.Expired);
    }
}
