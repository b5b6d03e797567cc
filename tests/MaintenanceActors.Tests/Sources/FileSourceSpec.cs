using Akka.Actor;
using Akka.TestKit;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Sources;

public sealed class FileSourceSpec : VirtualClockTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new();
    private readonly TestProbe _states;

    public FileSourceSpec(ITestOutputHelper output) : base(output)
    {
        _states = CreateTestProbe();
        Sys.EventStream.Subscribe(_states, typeof(MaintenanceStateChanged));
    }

    private string File => _directory.Combine("maintenance");

    private IActorRef Start(bool watcher) => Sys.ActorOf(Props.Create(() => new FileSourceActor(new FileSourceOptions
    {
        Path = File,
        PollInterval = TimeSpan.FromSeconds(1),
        UseFileSystemWatcher = watcher,
    })), "file-source");

    [Fact]
    public async Task Must_poll_the_file_on_the_time_provider_when_notifications_are_off()
    {
        var source = Start(watcher: false);
        var first = await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait);
        first.Should().BeEquivalentTo(new { Source = "file", Enabled = false });
        // The poll timer is registered at the end of PreStart: a round trip makes sure it exists before the clock moves.
        await source.Ask<SourceHealth>(GetHealth.Instance, Wait);

        await System.IO.File.WriteAllTextAsync(File, "maintenance");
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait);
        second.Enabled.Should().BeTrue();
        second.Revision.Should().BeGreaterThan(first.Revision);

        Time.Advance(TimeSpan.FromSeconds(1));
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        System.IO.File.Delete(File);
        Time.Advance(TimeSpan.FromSeconds(1));
        var third = await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait);
        third.Enabled.Should().BeFalse();
        third.Revision.Should().BeGreaterThan(second.Revision);
        (await source.Ask<SourceHealth>(GetHealth.Instance, Wait)).Connected.Should().BeTrue();
    }

    [Fact]
    public async Task Must_notice_a_change_through_file_system_notifications_without_a_poll()
    {
        Start(watcher: true);
        await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait);
        await System.IO.File.WriteAllTextAsync(File, """{"enabled":true,"reason":"noticed"}""");
        var state = await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait);
        state.Enabled.Should().BeTrue();
        state.Info!.Reason.Should().Be("noticed");
    }

    [Fact]
    public async Task Must_keep_the_last_state_when_the_file_holds_a_malformed_value_and_report_Degraded_until_it_is_valid()
    {
        System.IO.File.WriteAllText(File, """{"enabled":true,"reason":"disk swap"}""");
        var source = Start(watcher: false);
        (await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait)).Enabled.Should().BeTrue();
        await source.Ask<SourceHealth>(GetHealth.Instance, Wait);

        await System.IO.File.WriteAllTextAsync(File, """{"enabled":tru""");
        Time.Advance(TimeSpan.FromSeconds(1));
        await AwaitConditionAsync(async () => (await source.Ask<SourceHealth>(GetHealth.Instance, Wait)).Status == ComponentHealth.Degraded,
            Wait, "the source reports the malformed value");
        var degraded = await source.Ask<SourceHealth>(GetHealth.Instance, Wait);
        degraded.Warnings.Should().ContainSingle().Which.Should().StartWith($"maintenance value of '{File}' at revision ")
            .And.Contain("is malformed: the value is not valid JSON").And.EndWith("; kept the last known state");
        degraded.Connected.Should().BeTrue();

        await System.IO.File.WriteAllTextAsync(File, "off");
        Time.Advance(TimeSpan.FromSeconds(1));
        // The next state published is the valid "off": nothing was published for the malformed content.
        (await _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait)).Enabled.Should().BeFalse();
        await AwaitConditionAsync(async () => (await source.Ask<SourceHealth>(GetHealth.Instance, Wait)).Status == ComponentHealth.Healthy,
            Wait, "the source is healthy again");
        (await source.Ask<SourceHealth>(GetHealth.Instance, Wait)).Warnings.Should().BeEmpty();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}
