using MaintenanceActors.Actors;
using MaintenanceActors.Actors.TestKit;
using MaintenanceActors.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Tests.Sources;

public sealed class FileSourceSpec : ManualClockTestKit, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new();
    private readonly TestProbe _states;

    public FileSourceSpec()
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
        var first = await _states.ExpectMsgAsync<MaintenanceStateChanged>(timeout: Wait);
        first.Should().BeEquivalentTo(new { Source = "file", Enabled = false });

        await System.IO.File.WriteAllTextAsync(File, "maintenance");
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await _states.ExpectMsgAsync<MaintenanceStateChanged>(timeout: Wait);
        second.Enabled.Should().BeTrue();
        second.Revision.Should().BeGreaterThan(first.Revision);

        Time.Advance(TimeSpan.FromSeconds(1));
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        System.IO.File.Delete(File);
        Time.Advance(TimeSpan.FromSeconds(1));
        var third = await _states.ExpectMsgAsync<MaintenanceStateChanged>(timeout: Wait);
        third.Enabled.Should().BeFalse();
        third.Revision.Should().BeGreaterThan(second.Revision);
        (await source.Ask<SourceHealth>(GetHealth.Instance, Wait)).Connected.Should().BeTrue();
    }

    [Fact]
    public async Task Must_notice_a_change_through_file_system_notifications_without_a_poll()
    {
        Start(watcher: true);
        await _states.ExpectMsgAsync<MaintenanceStateChanged>(timeout: Wait);
        await System.IO.File.WriteAllTextAsync(File, """{"enabled":true,"reason":"noticed"}""");
        var state = await _states.ExpectMsgAsync<MaintenanceStateChanged>(timeout: Wait);
        state.Enabled.Should().BeTrue();
        state.Info!.Reason.Should().Be("noticed");
    }

    void IDisposable.Dispose()
    {
        Dispose();
        _directory.Dispose();
    }
}
