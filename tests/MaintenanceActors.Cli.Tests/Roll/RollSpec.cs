using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Roll;

[Collection(EtcdCollection.Name)]
public sealed class RollSpec(SharedEtcd etcd)
{
    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Must_roll_every_instance_and_never_have_more_than_max_unavailable_out_sampled_on_every_watch_event()
    {
        var service = SharedEtcd.NewService("roll");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 20, Drain);
        await using var sampler = await UnavailabilitySampler.StartAsync(etcd.Endpoint, service);

        var result = await Tool.RunAsync(etcd.Endpoint, "roll", service, "--max-unavailable", "2", "--reason", "kernel");

        result.ExitCode.Should().Be(0, result.ToString());
        sampler.Drained.Should().BeEquivalentTo(fleet.Instances, "every instance went through a drain");
        sampler.MaxUnavailable.Should().Be(2, "the roll uses its budget, and never more");
        sampler.MaxSlots.Should().BeLessThanOrEqualTo(2);
        result.Output.Should().Contain($"rolled 20 instance(s) of {service}");
        var status = await Tool.RunAsync(etcd.Endpoint, "status", service, "-o", "json");
        status.Output.Should().NotContain("\"phase\": \"drained\"");
        var slots = await etcd.Writer.Client.GetRangeAsync(FleetKeys.SlotsOf(service));
        slots.Kvs.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_hold_one_budget_across_two_concurrent_rolls()
    {
        var service = SharedEtcd.NewService("twice");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 6, Drain);
        await using var sampler = await UnavailabilitySampler.StartAsync(etcd.Endpoint, service);

        var rolls = await Task.WhenAll(
            Tool.RunAsync(etcd.Endpoint, "roll", service, "--max-unavailable", "2", "--by", "alice"),
            Tool.RunAsync(etcd.Endpoint, "roll", service, "--max-unavailable", "2", "--by", "bob"));

        rolls.Should().AllSatisfy(r => r.ExitCode.Should().Be(0, r.ToString()));
        sampler.MaxUnavailable.Should().BeLessThanOrEqualTo(2);
        sampler.MaxSlots.Should().BeLessThanOrEqualTo(2);
        sampler.Drained.Should().BeEquivalentTo(fleet.Instances);
    }

    [Fact]
    public async Task Must_run_exec_for_each_drained_instance_with_its_name_in_the_environment()
    {
        var service = SharedEtcd.NewService("exec");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 3, Drain);
        using var dir = new TempDirectory();
        var log = dir.Combine("exec.log");

        var result = await Tool.RunAsync(etcd.Endpoint, "roll", service, "-m", "1", "--exec", $"echo \"$MAINTCTL_SERVICE $MAINTCTL_INSTANCE $MAINTCTL_PHASE\" >> {log}", "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        File.ReadAllLines(log).Should().Equal($"{service} {service}-1 drained", $"{service} {service}-2 drained", $"{service} {service}-3 drained");
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().AllSatisfy(l => l.Should().StartWith("{\"time\":"));
    }

    [Fact]
    public async Task Must_stop_with_exit_1_when_exec_fails_and_put_the_instance_back_into_service()
    {
        var service = SharedEtcd.NewService("fail");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 4, Drain);

        var result = await Tool.RunAsync(etcd.Endpoint, "roll", service, "-m", "1", "--exec", "exit 7");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Trim().Should().Be($"maintctl: {service}-1: --exec exited with 7; stopped the roll and put {service}-1 back into service");
        (await Eventually.HoldsAsync(async () =>
        {
            var status = await Tool.RunAsync(etcd.Endpoint, "status", service, "-o", "json");
            return status.Output.Contains("\"available\": 4");
        })).Should().BeTrue("the failed instance is serving again and the others were never touched");
        (await etcd.Writer.Client.GetRangeAsync(FleetKeys.SlotsOf(service))).Kvs.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_refuse_to_roll_while_service_wide_maintenance_is_on_or_when_no_instance_reports()
    {
        var busy = SharedEtcd.NewService("busy");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, busy, 2, Drain);
        await Tool.RunAsync(etcd.Endpoint, "enable", busy, "--reason", "everything");

        var wide = await Tool.RunAsync(etcd.Endpoint, "roll", busy, "-m", "1");
        var empty = await Tool.RunAsync(etcd.Endpoint, "roll", SharedEtcd.NewService("empty"), "-m", "1");
        await Tool.RunAsync(etcd.Endpoint, "disable", busy);
        var unknown = await Tool.RunAsync(etcd.Endpoint, "roll", busy, "-m", "1", "--instances", $"{busy}-1,ghost-1");

        wide.ExitCode.Should().Be(1);
        wide.Error.Should().Contain("service-wide maintenance is on");
        empty.ExitCode.Should().Be(1);
        empty.Error.Should().Contain("no instance of").And.Contain("publishes status");
        unknown.ExitCode.Should().Be(1);
        unknown.Error.Should().Contain("ghost-1 of").And.Contain("publish no status");
    }

    [Fact]
    public async Task Must_clear_what_it_holds_and_exit_130_when_interrupted()
    {
        var service = SharedEtcd.NewService("interrupt");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 3, Drain);
        var output = new SharedWriter();
        using var stop = new CancellationTokenSource();
        var env = new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = etcd.Endpoint };

        var run = Tool.StartAsync(output, new SharedWriter(), env, stop.Token, "roll", service, "-m", "2", "--wait", "1h");
        (await Eventually.HoldsAsync(() => output.ToString().Split('\n').Count(l => l.Contains("drained in")) == 2)).Should().BeTrue(output.ToString());
        await stop.CancelAsync();

        (await run).Should().Be(130, output.ToString());
        (await Eventually.HoldsAsync(async () =>
            (await Tool.RunAsync(etcd.Endpoint, "status", service, "-o", "json")).Output.Contains("\"available\": 3"))).Should().BeTrue();
        (await etcd.Writer.Client.GetRangeAsync(FleetKeys.SlotsOf(service))).Kvs.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_move_on_when_an_instance_reports_its_drain_timed_out_at_its_deadline()
    {
        var service = SharedEtcd.NewService("slow");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 2, TimeSpan.FromMinutes(5), drainTimeout: TimeSpan.FromMilliseconds(300));

        var result = await Tool.RunAsync(etcd.Endpoint, "roll", service, "-m", "1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Split('\n').Count(l => l.Contains("timed-out in")).Should().Be(2, result.Output);
        result.Output.Should().Contain("work timed-out");
    }

    [Fact]
    public async Task Should_skip_an_instance_held_in_maintenance_by_its_own_key_and_leave_that_key_alone()
    {
        var service = SharedEtcd.NewService("held");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 3, Drain);
        await Tool.RunAsync(etcd.Endpoint, "enable", service, "--instance", $"{service}-2", "--reason", "disk swap", "--by", "erin");

        var result = await Tool.RunAsync(etcd.Endpoint, "roll", service, "-m", "1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain($"{service}-2").And.Contain("skipped: already in maintenance by its own key (disk swap, by erin)");
        var key = (await etcd.Writer.Client.GetAsync(FleetKeys.Instance(service, $"{service}-2"))).Kvs.Single().Value.ToStringUtf8();
        MaintenanceSetting.Parse(key).Should().Match<MaintenanceSetting>(s => s.Enabled && s.Reason == "disk swap" && s.By == "erin");
    }
}
