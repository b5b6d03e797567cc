using System.Threading.Channels;
using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Hosting;

/// <summary>The GoMaint manager behaviours, on the coordinator without etcd (the manual source).</summary>
public sealed class MaintenanceCoordinatorSpec(ITestOutputHelper output) : MaintenanceTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private MaintenanceCoordinator Coordinator(params string[] resources)
    {
        var coordinator = new MaintenanceCoordinator(Sys, new MaintenanceOptions { RestartMinBackoff = TimeSpan.FromMilliseconds(10), RestartMaxBackoff = TimeSpan.FromMilliseconds(50) });
        foreach (var name in resources)
        {
            coordinator.RegisterResource(TestResource.Registration(new TestResourceControl(name) { IdleAtOnce = true }));
        }
        return coordinator;
    }

    [Fact]
    public async Task Must_register_resources_and_list_them_before_and_after_start()
    {
        var coordinator = Coordinator("http", "grpc");
        (await coordinator.GetResourceNamesAsync()).Should().Equal("grpc", "http");
        coordinator.Start();
        await coordinator.RegisterResourceAsync(TestResource.Registration(new TestResourceControl("db") { IdleAtOnce = true }));
        (await coordinator.GetResourceNamesAsync()).Should().Equal("db", "grpc", "http");
    }

    [Fact]
    public async Task Must_reject_duplicate_names_before_and_after_start()
    {
        var coordinator = Coordinator("http");
        var before = () => coordinator.RegisterResource(TestResource.Registration(new TestResourceControl("http")));
        before.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Resources:http");
        coordinator.Start();
        var after = () => coordinator.RegisterResourceAsync(TestResource.Registration(new TestResourceControl("http")));
        await after.Should().ThrowAsync<MaintenanceConfigurationException>();
    }

    [Fact]
    public async Task Must_reject_a_second_start_and_treat_stop_when_not_started_as_a_no_op()
    {
        var coordinator = Coordinator("http");
        await coordinator.StopAsync();
        coordinator.IsStarted.Should().BeFalse();
        coordinator.Start();
        var again = () => coordinator.Start();
        again.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("already started");
        await coordinator.StopAsync();
        await coordinator.StopAsync();
        coordinator.IsStarted.Should().BeFalse();
        var query = () => coordinator.GetStatusAsync();
        await query.Should().ThrowAsync<InvalidOperationException>().WithMessage("*not started*");

        coordinator.Start();
        (await coordinator.GetResourceNamesAsync()).Should().BeEquivalentTo(new[] { "http" }, "a stopped coordinator starts again with its resources");
        await coordinator.StopAsync();
    }

    [Fact]
    public async Task Must_report_a_health_map_with_every_resource()
    {
        var coordinator = Coordinator("http", "grpc", "kafka");
        coordinator.Start();
        await AwaitConditionAsync(async () => (await coordinator.GetHealthAsync()).Resources.Values.All(r => r.Detail != "no report yet"), Wait);
        var health = await coordinator.GetHealthAsync();
        health.Resources.Keys.Should().BeEquivalentTo("http", "grpc", "kafka");
        health.Resources.Values.Should().OnlyContain(r => r.Status == ComponentHealth.Healthy);
        health.Overall.Should().Be(ComponentHealth.Healthy);
    }

    [Fact]
    public async Task Must_answer_concurrent_registrations_and_queries()
    {
        var coordinator = Coordinator();
        coordinator.Start();
        var work = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            if (i % 2 == 0)
            {
                await coordinator.RegisterResourceAsync(TestResource.Registration(new TestResourceControl($"r{i}") { IdleAtOnce = true }));
            }
            else
            {
                await coordinator.GetStatusAsync();
                await coordinator.GetHealthAsync();
                await coordinator.GetResourceNamesAsync();
            }
        }));
        await Task.WhenAll(work).WaitAsync(Wait);
        (await coordinator.GetResourceNamesAsync()).Should().HaveCount(20);
        await coordinator.SetMaintenanceModeAsync(true, "all of them");
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        (await coordinator.GetResourceStatsAsync()).Resources.Should().HaveCount(20).And.OnlyContain(r => r.State == ResourceState.InMaintenance);
    }

    [Fact]
    public async Task Must_wait_for_maintenance_mode_and_return_false_on_timeout()
    {
        var slow = new TestResourceControl("slow") { InFlight = 1 };
        var coordinator = new MaintenanceCoordinator(Sys);
        coordinator.RegisterResource(TestResource.Registration(slow));
        coordinator.Start();

        await coordinator.SetMaintenanceModeAsync(true, "slow drain");
        coordinator.IsInMaintenance.Should().BeTrue("the desired state flips as soon as the supervisor accepts it");
        (await coordinator.WaitForMaintenanceModeAsync(true, TimeSpan.FromMilliseconds(200))).Should().BeFalse("the drain is still waiting");
        slow.ReleaseIdle();
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        (await coordinator.GetMaintenanceModeAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task Must_call_subscribers_with_filtered_events_until_disposed()
    {
        var coordinator = Coordinator("http");
        coordinator.Start();
        var transitions = new List<MaintenanceTransitionCompleted>();
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = coordinator.Subscribe(MaintenanceEventFilter.Of<MaintenanceTransitionCompleted>(t => t.Enabled), e =>
        {
            lock (transitions) transitions.Add((MaintenanceTransitionCompleted)e);
            got.TrySetResult();
        });
        // A subscriber that stays: it sees every transition, so it tells when a later one has been published.
        var all = Channel.CreateUnbounded<MaintenanceTransitionCompleted>();
        using var marker = coordinator.Subscribe(MaintenanceEventFilter.Of<MaintenanceTransitionCompleted>(), e => all.Writer.TryWrite((MaintenanceTransitionCompleted)e));

        await coordinator.SetMaintenanceModeAsync(true);
        await got.Task.WaitAsync(Wait);
        subscription.Dispose();
        await coordinator.SetMaintenanceModeAsync(false);
        (await coordinator.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        // An event the disposed subscription's filter accepts...
        await coordinator.SetMaintenanceModeAsync(true);
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        // ...then a later one, published only after that one: once the marker has it, the enabled one was delivered to
        // every live subscriber before it.
        await coordinator.SetMaintenanceModeAsync(false);
        var seen = new List<MaintenanceTransitionCompleted>();
        using (var deadline = new CancellationTokenSource(Wait))
        {
            while (seen.Count == 0 || seen[^1].Epoch < 4)
            {
                seen.Add(await all.Reader.ReadAsync(deadline.Token));
            }
        }

        seen.Select(t => (t.Epoch, t.Enabled)).Should().Equal((1L, true), (2L, false), (3L, true), (4L, false));
        lock (transitions) transitions.Should().ContainSingle("epoch 3 came after Dispose").Which.Should().BeEquivalentTo(new { Epoch = 1L, Enabled = true });
    }
}
