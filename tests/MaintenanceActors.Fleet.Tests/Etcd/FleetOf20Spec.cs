using MaintenanceActors.Fleet.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Fleet.Tests.Etcd;

/// <summary>Twenty instances of one service, each with its own actor system and coordinator, on one real etcd.</summary>
public sealed class FleetOf20 : IAsyncLifetime
{
    public const string Service = "orders";
    public const int Count = 20;

    public EtcdServer Etcd { get; private set; } = null!;
    public EtcdTestWriter Writer { get; private set; } = null!;
    public List<FleetNode> Nodes { get; } = new();

    public async Task InitializeAsync()
    {
        Etcd = await EtcdServer.StartAsync();
        Writer = new EtcdTestWriter(Etcd.CreateClient());
        for (var i = 1; i <= Count; i++)
        {
            Nodes.Add(FleetNode.Start(Etcd, Service, $"orders-{i}"));
        }
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        await Writer.DisposeAsync();
        await Etcd.DisposeAsync();
    }
}

public sealed class FleetOf20Spec(FleetOf20 fleet) : IClassFixture<FleetOf20>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private async Task<IReadOnlyDictionary<string, InstanceStatus>> Statuses() =>
        (await StatusReader.ReadAsync(fleet.Writer, FleetOf20.Service)).ToDictionary(e => e.Key, e => e.Value.Status);

    private async Task AllPublishedAsync(Func<InstanceStatus, bool> condition, string because)
    {
        IReadOnlyDictionary<string, InstanceStatus> last = new Dictionary<string, InstanceStatus>();
        var held = await Eventually.HoldsAsync(async () =>
        {
            last = await Statuses();
            return last.Count == FleetOf20.Count && last.Values.All(condition);
        }, Wait);
        held.Should().BeTrue($"{because}; last seen: {string.Join(", ", last.Values.OrderBy(s => s.Instance).Select(s => $"{s.Instance}={s.Phase}"))}");
    }

    // Every node has handled the service key's write at `revision`. etcd delivers a watch's events in revision order and both of a node's
    // watchers report to one supervisor, so a node that saw this revision on one key has seen everything older on that key.
    private async Task AllSawAsync(string key, long revision) =>
        (await Eventually.HoldsAsync(async () =>
        {
            foreach (var node in fleet.Nodes)
            {
                if (!(await node.Coordinator.GetStatusAsync()).Votes.Any(v => v.Key == key && v.Revision >= revision)) return false;
            }
            return true;
        }, Wait)).Should().BeTrue($"every node saw revision {revision} of {key}");

    [Fact]
    public async Task Must_drain_all_twenty_on_the_service_wide_key_and_bring_all_back_when_it_is_deleted()
    {
        await AllPublishedAsync(s => s.Phase == InstancePhases.Serving, "all twenty publish a status");

        await fleet.Writer.PutAsync(FleetKeys.ServiceKey(FleetOf20.Service), """{"enabled":true,"reason":"db upgrade","by":"alice"}""");
        await AllPublishedAsync(s => s is { Phase: InstancePhases.Drained, Source: InstanceStatusSources.Service, Reason: "db upgrade", By: "alice" },
            "every instance drained and says why and by whom");
        fleet.Nodes.Should().OnlyContain(n => n.Coordinator.IsInMaintenance);

        await fleet.Writer.DeleteAsync(FleetKeys.ServiceKey(FleetOf20.Service));
        await AllPublishedAsync(s => s.Phase == InstancePhases.Serving && !s.InMaintenance, "every instance serves again");
    }

    [Fact]
    public async Task Must_drain_only_the_instance_whose_own_key_says_so()
    {
        await AllPublishedAsync(s => s.Phase == InstancePhases.Serving, "all twenty serve");
        var instanceKey = FleetKeys.InstanceKey(FleetOf20.Service, "orders-7");

        await fleet.Writer.PutAsync(instanceKey, """{"enabled":true,"reason":"kernel patch","by":"bob"}""");
        var marker = await fleet.Writer.PutAsync(FleetKeys.ServiceKey(FleetOf20.Service), "false");
        await AllSawAsync(FleetKeys.ServiceKey(FleetOf20.Service), marker);
        (await Eventually.HoldsAsync(async () => (await Statuses())["orders-7"].Phase == InstancePhases.Drained, Wait)).Should().BeTrue();

        var statuses = await Statuses();
        statuses["orders-7"].Should().BeEquivalentTo(new { InMaintenance = true, Source = InstanceStatusSources.Instance, Reason = "kernel patch", By = "bob" });
        statuses.Values.Where(s => s.Instance != "orders-7").Should().HaveCount(19).And.OnlyContain(s => s.Phase == InstancePhases.Serving && !s.InMaintenance);
        fleet.Nodes.Where(n => n.InstanceId != "orders-7").Should().OnlyContain(n => !n.Coordinator.IsInMaintenance);

        await fleet.Writer.DeleteAsync(instanceKey);
        await AllPublishedAsync(s => s.Phase == InstancePhases.Serving, "orders-7 serves again");
    }
}
