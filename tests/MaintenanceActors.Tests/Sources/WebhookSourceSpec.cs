using System.Text;
using Akka.Actor;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Sources;

public sealed class WebhookSourceSpec(ITestOutputHelper output) : VirtualClockTestKit(output)
{
    private const string Secret = "a-webhook-secret-of-some-length";

    private (string Timestamp, string Signature, byte[] Body) Signed(WebhookSource source, string body, TimeSpan? skew = null)
    {
        var ts = (Time.GetUtcNow() + (skew ?? TimeSpan.Zero)).ToUnixTimeSeconds();
        var bytes = Encoding.UTF8.GetBytes(body);
        return (ts.ToString(), source.Signature.Sign(ts, bytes), bytes);
    }

    [Fact]
    public async Task Must_publish_a_good_request_and_refuse_bad_missing_replayed_and_stale_ones()
    {
        var source = new WebhookSource(Sys, new WebhookSourceOptions { Secret = Secret });
        var states = CreateTestProbe();
        Sys.EventStream.Subscribe(states, typeof(MaintenanceStateChanged));

        var good = Signed(source, """{"enabled":true,"reason":"from the pager"}""");
        source.Accept(good.Timestamp, good.Signature, good.Body).Should().Be(WebhookVerdict.Accepted);
        var state = await states.ExpectMsgAsync<MaintenanceStateChanged>();
        state.Should().BeEquivalentTo(new { Source = "webhook", Enabled = true, Revision = 1L });
        state.Info!.Reason.Should().Be("from the pager");

        source.Accept(good.Timestamp, good.Signature, good.Body).Should().Be(WebhookVerdict.Replayed);
        var forged = Signed(new WebhookSource(Sys, new WebhookSourceOptions { Secret = "another-secret-entirely" }), "false");
        source.Accept(forged.Timestamp, forged.Signature, forged.Body).Should().Be(WebhookVerdict.BadSignature);
        source.Accept(null, null, Encoding.UTF8.GetBytes("false")).Should().Be(WebhookVerdict.Missing);
        var stale = Signed(source, "false", TimeSpan.FromMinutes(-6));
        source.Accept(stale.Timestamp, stale.Signature, stale.Body).Should().Be(WebhookVerdict.Expired);
        var tooBig = Signed(source, new string('x', 70_000));
        source.Accept(tooBig.Timestamp, tooBig.Signature, tooBig.Body).Should().Be(WebhookVerdict.TooLarge);
        await states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        Time.Advance(TimeSpan.FromSeconds(1));
        var off = Signed(source, "off");
        source.Accept(off.Timestamp, off.Signature, off.Body).Should().Be(WebhookVerdict.Accepted);
        (await states.ExpectMsgAsync<MaintenanceStateChanged>()).Should().BeEquivalentTo(new { Enabled = false, Revision = 2L });
    }

    [Fact]
    public async Task Must_tell_its_last_value_to_a_supervisor_that_starts_later()
    {
        var source = new WebhookSource(Sys, new WebhookSourceOptions { Secret = Secret });
        var on = Signed(source, "on");
        source.Accept(on.Timestamp, on.Signature, on.Body).Should().Be(WebhookVerdict.Accepted);

        var supervisor = Sys.ActorOf(Props.Create(() => new MaintenanceSupervisor(new MaintenanceOptions(), Array.Empty<ResourceRegistration>(), null)));
        await AwaitConditionAsync(async () => (await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, TimeSpan.FromSeconds(20))).InMaintenance,
            TimeSpan.FromSeconds(20), "the webhook's value reaches a supervisor that was not there when it was accepted");
        (await supervisor.Ask<MaintenanceHealthReport>(GetHealth.Instance, TimeSpan.FromSeconds(20))).Sources.Should().ContainKey("webhook");
    }
}
