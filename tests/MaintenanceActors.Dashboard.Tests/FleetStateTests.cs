using System.Text;
using System.Text.Json;
using MaintenanceActors.Dashboard.Watch;

namespace MaintenanceActors.Dashboard.Tests;

public sealed class FleetStateTests
{
    private static readonly DashboardOptions Options = new() { Endpoints = ["127.0.0.1:2379"], TimelineCapacity = 3 };

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Must_give_a_subscriber_the_snapshot_then_changes_in_order()
    {
        var state = new FleetState(Options, TimeProvider.System);
        state.Reset(5, [("/maintenance/a", Bytes("true"), 5)]);
        using var subscription = state.Subscribe();

        state.Apply("/maintenance-status/a/a-1", Bytes("""{"phase":"draining"}"""), 6);
        state.Apply("/maintenance/a", null, 7);

        var events = new List<FleetEvent>();
        while (subscription.Events.TryRead(out var e)) events.Add(e);
        events.Select(e => (e.Type, e.Revision)).Should().Equal(("snapshot", 5L), ("change", 6L), ("change", 7L));
        JsonDocument.Parse(events[0].Data).RootElement.GetProperty("entries").GetArrayLength().Should().Be(1);
        JsonDocument.Parse(events[2].Data).RootElement.GetProperty("deleted").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public void Must_cut_off_a_subscriber_that_does_not_read()
    {
        var state = new FleetState(Options, TimeProvider.System);
        var slow = state.Subscribe(capacity: 2);

        for (var revision = 1; revision <= 3; revision++)
        {
            state.Apply("/maintenance/a", Bytes(revision % 2 == 0 ? "true" : "false"), revision);
        }

        state.SubscriberCount.Should().Be(0, "a page that falls behind is dropped rather than buffered without bound");
        var read = 0;
        while (slow.Events.TryRead(out _)) read++;
        read.Should().Be(2);
        slow.Events.Completion.IsCompleted.Should().BeTrue("its stream ends, so the browser reconnects to a fresh snapshot");
    }

    [Fact]
    public void Must_keep_a_bounded_timeline()
    {
        var state = new FleetState(Options, TimeProvider.System);
        for (var revision = 1; revision <= 10; revision++)
        {
            state.Apply("/maintenance/a", Bytes(revision % 2 == 0 ? "true" : "false"), revision);
        }

        state.Snapshot().Timeline.Select(t => t.Revision).Should().Equal(8L, 9L, 10L);
    }

    [Fact]
    public void Should_say_since_when_etcd_is_away()
    {
        var state = new FleetState(Options, TimeProvider.System);
        state.Reset(1, []);
        state.Disconnected("first error");
        var since = state.Snapshot().Etcd.Since;

        state.Disconnected("second error");

        state.Snapshot().Etcd.Should().Match<EtcdLink>(l => !l.Connected && l.Error == "second error" && l.Since == since);
    }
}
