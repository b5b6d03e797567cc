using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Sources;

/// <summary>Asks the <see cref="SwitchSource"/> to switch (stands in for a schedule or an external poller).</summary>
public sealed record Flip(bool On);

/// <summary>Makes the <see cref="SwitchSource"/> throw (it is then restarted).</summary>
public sealed record Crash;

/// <summary>A custom source built on the public base.</summary>
public sealed class SwitchSource : MaintenanceSourceActor
{
    public SwitchSource()
    {
        Receive<Flip>(flip =>
        {
            PublishState("window", new MaintenanceValue(flip.On, flip.On ? new MaintenanceInfo("scheduled window") : null, null));
            ReportHealth(connected: true, lastRevision: RevisionOf("window"));
        });
        Receive<Crash>(_ => throw new InvalidOperationException("source bug"));
    }

    protected override string SourceName => "schedule";

    protected override void PreStart()
    {
        base.PreStart();
        Context.System.EventStream.Subscribe(Self, typeof(Flip));
        Context.System.EventStream.Subscribe(Self, typeof(Crash));
        ReportHealth(connected: true);
    }
}

public sealed class CustomSourceSpec(ITestOutputHelper output) : MaintenanceTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_let_a_custom_source_switch_maintenance_and_list_it_with_its_health()
    {
        var coordinator = new MaintenanceCoordinator(Sys);
        coordinator.RegisterResource(TestResource.Registration(new TestResourceControl("api") { IdleAtOnce = true }));
        coordinator.AddSource("schedule", () => Props.Create<SwitchSource>());
        coordinator.Start();
        var states = CreateTestProbe();
        Sys.EventStream.Subscribe(states, typeof(MaintenanceStateChanged));
        await AwaitConditionAsync(async () => (await coordinator.GetHealthAsync()).Sources.ContainsKey("schedule"), Wait,
            "the source reported itself");

        Sys.EventStream.Publish(new Flip(true));
        (await states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait)).Should().BeEquivalentTo(new { Source = "schedule", Key = "window", Enabled = true });
        Sys.EventStream.Publish(new Flip(true));
        await states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the same value is not published again
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        (await coordinator.GetStatusAsync()).Reasons.Single().Should().Be("schedule:window: scheduled window");
        (await coordinator.GetHealthAsync()).Sources["schedule"].Connected.Should().BeTrue();

        Sys.EventStream.Publish(new Crash());
        Sys.EventStream.Publish(new Flip(false));
        (await coordinator.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue("a restarted source's values still count as newer");
    }
}
