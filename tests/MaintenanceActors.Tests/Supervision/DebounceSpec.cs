using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Supervision;

public sealed class DebounceSpec(ITestOutputHelper output) : VirtualClockTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_start_one_transition_for_the_settled_state_when_debounce_is_on()
    {
        var control = new TestResourceControl("api") { IdleAtOnce = true };
        var supervisor = Sys.ActorOf(Props.Create(() => new MaintenanceSupervisor(
            new MaintenanceOptions { Debounce = TimeSpan.FromMilliseconds(500) }, new[] { TestResource.Registration(control) }, null)));
        Sys.EventStream.Subscribe(TestActor, typeof(MaintenanceTransitionCompleted));
        await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);

        var revision = 0;
        foreach (var enabled in new[] { true, false, true })
        {
            Sys.EventStream.Publish(new MaintenanceStateChanged("etcd", "/k", enabled, null, ++revision, Time.GetUtcNow()));
            await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait); // the change is taken before time moves
            Time.Advance(TimeSpan.FromMilliseconds(300));
        }
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.InMaintenance.Should().BeTrue();
        status.Epoch.Should().Be(0, "nothing started while the sources kept changing");

        Time.Advance(TimeSpan.FromMilliseconds(200));
        var done = await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        done.Should().BeEquivalentTo(new { Epoch = 1L, Enabled = true, Superseded = false });
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
