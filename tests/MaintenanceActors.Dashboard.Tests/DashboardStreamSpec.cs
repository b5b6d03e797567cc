using System.Text.Json;
using MaintenanceActors.Dashboard.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Dashboard.Tests;

/// <summary>The server side of the page: what the event stream carries after etcd puts, deletes and lease expiries.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardStreamSpec(DashboardHost host)
{
    private static string Status(string service, string instance, string phase, bool inMaintenance = true, int inFlight = 0) =>
        JsonSerializer.Serialize(new
        {
            service, instance, host = "web-3", version = "1.4.2", epoch = 7, phase, inMaintenance, reason = "db upgrade", by = "alice",
            until = (string?)null, source = "service", inFlight, drainStartedAt = "2026-12-01T20:00:00Z", drainDurationMs = (int?)null,
            drainDeadline = (string?)null, resources = new[] { new { name = "http", state = phase, outcome = (string?)null, inFlight } },
            updatedAt = DateTimeOffset.UtcNow.ToString("O"),
        });

    private static bool IsChangeOf(ServerEvent e, string key) =>
        e.Type == "change" && e.Json.GetProperty("key").GetString() == key;

    [Fact]
    public async Task Must_send_a_snapshot_with_every_key_first()
    {
        await host.Etcd.EtcdCtlAsync("put", "/maintenance-status/snap/snap-1", Status("snap", "snap-1", "drained"));
        await host.Etcd.EtcdCtlAsync("put", "/maintenance/snap", """{"enabled":true,"reason":"db upgrade","by":"alice"}""");
        (await Eventually.HoldsAsync(async () => (await host.Http.GetStringAsync("api/state")).Contains("/maintenance/snap\"", StringComparison.Ordinal)))
            .Should().BeTrue("the dashboard's watch sees both puts");

        await using var stream = await EventStream.OpenAsync(host.Http);
        stream.ContentType.Should().Be("text/event-stream");
        var first = await stream.NextAsync();

        first.Type.Should().Be("snapshot");
        var entries = first.Json.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!);
        var status = entries["/maintenance-status/snap/snap-1"];
        status.GetProperty("kind").GetString().Should().Be("Status");
        status.GetProperty("service").GetString().Should().Be("snap");
        status.GetProperty("instance").GetString().Should().Be("snap-1");
        status.GetProperty("value").GetProperty("phase").GetString().Should().Be("drained");
        var service = entries["/maintenance/snap"];
        service.GetProperty("kind").GetString().Should().Be("Service");
        service.GetProperty("value").GetProperty("enabled").GetBoolean().Should().BeTrue();
        service.GetProperty("value").GetProperty("by").GetString().Should().Be("alice");
        first.Json.GetProperty("etcd").GetProperty("connected").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Must_stream_an_etcdctl_put_of_a_status_key_as_a_change()
    {
        await using var stream = await EventStream.OpenAsync(host.Http);
        (await stream.NextAsync()).Type.Should().Be("snapshot");

        await host.Etcd.EtcdCtlAsync("put", "/maintenance-status/orders/orders-1", Status("orders", "orders-1", "draining", inFlight: 3));

        var change = await stream.NextMatchingAsync(e => IsChangeOf(e, "/maintenance-status/orders/orders-1"));
        var json = change.Json;
        json.GetProperty("deleted").GetBoolean().Should().BeFalse();
        json.GetProperty("kind").GetString().Should().Be("Status");
        json.GetProperty("entry").GetProperty("value").GetProperty("phase").GetString().Should().Be("draining");
        json.GetProperty("entry").GetProperty("value").GetProperty("inFlight").GetInt32().Should().Be(3);
        json.GetProperty("transition").GetProperty("state").GetString().Should().Be("draining");
        change.Id.Should().Be(json.GetProperty("revision").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "the event id is the etcd revision it reflects");
    }

    [Fact]
    public async Task Must_record_a_transition_only_when_the_phase_changes()
    {
        await using var stream = await EventStream.OpenAsync(host.Http);
        await stream.NextAsync();
        const string key = "/maintenance-status/phases/phases-1";

        await host.Etcd.EtcdCtlAsync("put", key, Status("phases", "phases-1", "draining", inFlight: 5));
        (await stream.NextMatchingAsync(e => IsChangeOf(e, key))).Json.GetProperty("transition").GetProperty("state").GetString().Should().Be("draining");
        await host.Etcd.EtcdCtlAsync("put", key, Status("phases", "phases-1", "draining", inFlight: 2));
        var progress = await stream.NextMatchingAsync(e => IsChangeOf(e, key));
        await host.Etcd.EtcdCtlAsync("put", key, Status("phases", "phases-1", "drained"));
        var drained = await stream.NextMatchingAsync(e => IsChangeOf(e, key));

        progress.Json.GetProperty("entry").GetProperty("value").GetProperty("inFlight").GetInt32().Should().Be(2);
        progress.Json.GetProperty("transition").ValueKind.Should().Be(JsonValueKind.Null, "a progress update is not a transition");
        drained.Json.GetProperty("transition").GetProperty("state").GetString().Should().Be("drained");
    }

    [Fact]
    public async Task Must_stream_the_delete_when_a_status_lease_expires()
    {
        await using var stream = await EventStream.OpenAsync(host.Http);
        await stream.NextAsync();
        const string key = "/maintenance-status/leased/leased-1";
        var grant = await host.Etcd.EtcdCtlAsync("lease", "grant", "1");
        var lease = grant.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

        await host.Etcd.EtcdCtlAsync("put", key, Status("leased", "leased-1", "serving", inMaintenance: false), $"--lease={lease}");
        (await stream.NextMatchingAsync(e => IsChangeOf(e, key))).Json.GetProperty("deleted").GetBoolean().Should().BeFalse();
        var gone = await stream.NextMatchingAsync(e => IsChangeOf(e, key), TimeSpan.FromSeconds(30));

        gone.Json.GetProperty("deleted").GetBoolean().Should().BeTrue();
        gone.Json.GetProperty("transition").GetProperty("state").GetString().Should().Be("gone");
    }

    [Fact]
    public async Task Must_skip_keys_outside_the_contract()
    {
        await using var stream = await EventStream.OpenAsync(host.Http);
        await stream.NextAsync();

        await host.Etcd.EtcdCtlAsync("put", "/maintenance-roll/orders/slots/orders-1", "held");
        await host.Etcd.EtcdCtlAsync("put", "/maintenance/orders/unknown/x", "true");
        await host.Etcd.EtcdCtlAsync("put", "/maintenance/skip", "true");

        var next = await stream.NextMatchingAsync(e => e.Type == "change");
        next.Json.GetProperty("key").GetString().Should().Be("/maintenance/skip", "roll slots and keys the contract does not define are not the dashboard's");
        next.Json.GetProperty("entry").GetProperty("value").GetProperty("enabled").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Must_show_a_malformed_maintenance_value_as_malformed()
    {
        await using var stream = await EventStream.OpenAsync(host.Http);
        await stream.NextAsync();

        await host.Etcd.EtcdCtlAsync("put", "/maintenance/bad/instances/bad-1", "{\"enabled\":\"maybe\"}");

        var change = await stream.NextMatchingAsync(e => IsChangeOf(e, "/maintenance/bad/instances/bad-1"));
        change.Json.GetProperty("kind").GetString().Should().Be("Instance");
        change.Json.GetProperty("instance").GetString().Should().Be("bad-1");
        change.Json.GetProperty("entry").GetProperty("malformed").GetString().Should().Contain("enabled");
        change.Json.GetProperty("transition").GetProperty("state").GetString().Should().Be("malformed");
    }
}
