using MaintenanceActors.Fleet.Tests.Support;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Fleet.Tests.Status;

/// <summary>One instance's status in a real etcd: what it says through a drain, its lease, and how it vanishes.</summary>
public sealed class InstanceStatusPublisherSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Service = "orders";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly List<IAsyncDisposable> _cleanup = new();
    private EtcdServer _etcd = null!;
    private EtcdTestWriter _writer = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _writer = new EtcdTestWriter(_etcd.CreateClient());
    }

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
        await _writer.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private FleetNode Node(string id, string? endpoint = null, Action<FleetOptions>? fleet = null, TimeSpan? drainTimeout = null)
    {
        var node = FleetNode.Start(_etcd, Service, id, endpoint, fleet, new XunitLoggerFactory(output), drainTimeout);
        _cleanup.Add(node);
        return node;
    }

    private async Task<InstanceStatus> StatusOnceAsync(string id, Func<InstanceStatus, bool> condition, string because)
    {
        InstanceStatus? last = null;
        var held = await Eventually.HoldsAsync(async () =>
        {
            var all = await StatusReader.ReadAsync(_writer, Service);
            last = all.TryGetValue(id, out var entry) ? entry.Status : null;
            return last is not null && condition(last);
        }, Wait);
        held.Should().BeTrue($"{because} (last status: {(last is null ? "none" : InstanceStatusJson.Serialize(last))})");
        return last!;
    }

    [Fact]
    public async Task Must_publish_serving_then_drained_with_who_why_and_source_on_a_lease_and_vanish_on_a_graceful_stop()
    {
        var node = Node("orders-1");

        var serving = await StatusOnceAsync("orders-1", s => s.Phase == InstancePhases.Serving, "published at start");
        serving.Should().BeEquivalentTo(new { Service, Instance = "orders-1", Host = "test-host", Version = "1.4.2", Epoch = 0L, InMaintenance = false,
            Reason = (string?)null, Source = (string?)null, InFlight = 0L });
        serving.Resources.Should().ContainSingle().Which.Should().Be(new InstanceResourceStatus("work", InstancePhases.Serving, null, 0));
        (await StatusReader.ReadAsync(_writer, Service))["orders-1"].Lease.Should().NotBe(0, "the status lives on the instance's lease");

        await _writer.PutAsync(FleetKeys.ServiceKey(Service), """{"enabled":true,"reason":"db upgrade","by":"alice"}""");
        var drained = await StatusOnceAsync("orders-1", s => s.Phase == InstancePhases.Drained, "drained after the service-wide key");
        drained.Should().BeEquivalentTo(new { Epoch = 1L, InMaintenance = true, Reason = "db upgrade", By = "alice", Source = InstanceStatusSources.Service });
        drained.DrainStartedAt.Should().NotBeNull();
        drained.DrainDurationMs.Should().NotBeNull();
        drained.Resources.Should().ContainSingle().Which.Should().Be(new InstanceResourceStatus("work", InstancePhases.Drained, "drained", 0));

        await _writer.DeleteAsync(FleetKeys.ServiceKey(Service));
        var back = await StatusOnceAsync("orders-1", s => s.Phase == InstancePhases.Serving && s.Epoch == 2, "serving again");
        back.DrainStartedAt.Should().BeNull();

        await node.Coordinator.StopAsync();
        (await Eventually.HoldsAsync(async () => !(await StatusReader.ReadAsync(_writer, Service)).ContainsKey("orders-1"), Wait))
            .Should().BeTrue("a graceful stop revokes the lease");
    }

    [Fact]
    public async Task Must_show_a_running_drain_with_its_in_flight_work_and_deadline_and_then_a_timed_out_end()
    {
        var node = Node("orders-2", drainTimeout: TimeSpan.FromSeconds(3));
        await StatusOnceAsync("orders-2", s => s.Phase == InstancePhases.Serving, "published at start");
        node.Work.Begin();
        node.Work.Begin();

        await _writer.PutAsync(FleetKeys.InstanceKey(Service, "orders-2"), """{"enabled":true,"reason":"kernel","by":"bob"}""");
        var draining = await StatusOnceAsync("orders-2", s => s.Phase == InstancePhases.Draining, "draining while work runs");
        draining.Should().BeEquivalentTo(new { InFlight = 2L, Source = InstanceStatusSources.Instance, Reason = "kernel", By = "bob" });
        draining.DrainDeadline.Should().BeAfter(draining.DrainStartedAt!.Value);
        draining.Resources.Single().Should().Be(new InstanceResourceStatus("work", InstancePhases.Draining, null, 2));

        var timedOut = await StatusOnceAsync("orders-2", s => s.Phase == InstancePhases.TimedOut, "the deadline passed with work in flight");
        timedOut.Resources.Single().Should().Be(new InstanceResourceStatus("work", InstancePhases.TimedOut, "timed-out", 2));
        node.Work.EndAll();
    }

    [Fact]
    public async Task Must_lose_its_status_with_its_lease_when_the_instance_is_cut_off_without_a_goodbye_and_publish_again_once_back()
    {
        await using var proxy = new TcpProxy(_etcd.ClientPort);
        Node("orders-3", proxy.Endpoint, f => f.StatusTtl = TimeSpan.FromSeconds(2));
        Node("orders-4", fleet: f => f.StatusTtl = TimeSpan.FromSeconds(2));
        await StatusOnceAsync("orders-3", _ => true, "published");
        await StatusOnceAsync("orders-4", _ => true, "published");

        proxy.Cut(); // the process is as good as dead to etcd: no revoke, no more keep-alives

        (await Eventually.HoldsAsync(async () => !(await StatusReader.ReadAsync(_writer, Service)).ContainsKey("orders-3"), Wait))
            .Should().BeTrue("etcd expires the lease, and the key with it");
        (await StatusReader.ReadAsync(_writer, Service)).Should().ContainKey("orders-4", "a live instance keeps its lease alive past its TTL");

        proxy.Restore(); // it was only cut off: back in reach, it finds its lease gone and publishes on a new one
        await StatusOnceAsync("orders-3", s => s.Phase == InstancePhases.Serving, "published again on a fresh lease");
    }
}
