using System.Text.Json;
using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Commands;

[Collection(EtcdCollection.Name)]
public sealed class WatchCommandSpec(SharedEtcd etcd)
{
    private static readonly Dictionary<string, string> NoEnv = new();

    [Fact]
    public async Task Must_print_the_state_then_one_json_object_per_change_until_cancelled()
    {
        var service = SharedEtcd.NewService("watch");
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1", """{"phase":"serving","inMaintenance":false}""");
        var output = new SharedWriter();
        var error = new SharedWriter();
        using var stop = new CancellationTokenSource();
        var run = Tool.StartAsync(output, error, NoEnv, stop.Token, "watch", service, "--endpoints", etcd.Endpoint, "-o", "json");
        (await Eventually.HoldsAsync(() => output.ToString().Contains('\n'))).Should().BeTrue(error.ToString());

        await etcd.Writer.PutAsync($"/maintenance/{service}/instances/{service}-1", """{"enabled":true,"reason":"watched","by":"dave"}""");
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1", """{"phase":"draining","inMaintenance":true,"inFlight":4}""");
        await etcd.Writer.DeleteAsync($"/maintenance-status/{service}/{service}-1");
        await etcd.Writer.PutAsync($"/maintenance/other-{service}", "true");
        (await Eventually.HoldsAsync(() => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 4)).Should().BeTrue(output.ToString());
        await stop.CancelAsync();

        (await run).Should().Be(0, error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            first.RootElement.GetProperty("instances")[0].GetProperty("phase").GetString().Should().Be("serving");
        }
        lines.Should().HaveCount(4, "a change to another service is not shown");
        var changes = lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        changes.Select(c => c.GetProperty("kind").GetString()).Should().Equal("instance-key", "status", "status");
        changes[0].GetProperty("value").GetProperty("reason").GetString().Should().Be("watched");
        changes[1].GetProperty("value").GetProperty("inFlight").GetInt32().Should().Be(4);
        changes[2].GetProperty("deleted").GetBoolean().Should().BeTrue();
        changes.Select(c => c.GetProperty("revision").GetInt64()).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Should_print_a_line_per_change_when_the_output_is_not_a_terminal()
    {
        var service = SharedEtcd.NewService("lines");
        var output = new SharedWriter();
        using var stop = new CancellationTokenSource();
        var run = Tool.StartAsync(output, new SharedWriter(), NoEnv, stop.Token, "watch", service, "--endpoints", etcd.Endpoint);
        (await Eventually.HoldsAsync(() => output.ToString().Contains("INSTANCE"))).Should().BeTrue();

        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1",
            """{"phase":"drained","inMaintenance":true,"source":"service","drainDurationMs":1500,"resources":[{"name":"http","outcome":"drained"}]}""");
        (await Eventually.HoldsAsync(() => output.ToString().Contains($"{service}-1"))).Should().BeTrue(output.ToString());
        await stop.CancelAsync();

        (await run).Should().Be(0);
        output.ToString().Should().Contain("drained, in maintenance (service), drain took 1.5s, http drained");
    }

    [Fact]
    public void Must_render_drain_progress_bars_in_the_live_table_also_on_an_80_column_terminal()
    {
        var now = DateTimeOffset.Parse("2026-12-01T20:00:05Z");
        var state = new Fleet.FleetState();
        state.Put(new Etcd.KeyValue("/maintenance-status/bars/bars-1",
            """{"phase":"draining","inMaintenance":true,"inFlight":2,"drainStartedAt":"2026-12-01T20:00:00Z","drainDeadline":"2026-12-01T20:00:10Z"}""", 5, 5, 1, 0));
        var writer = new StringWriter();
        var io = new Output.CliIo(writer, new StringWriter(), _ => null, interactive: false);

        io.Console.Write(Output.FleetRender.InstancesTable(state.View("bars"), now, live: true));

        writer.ToString().Should().Contain("█████░░░░░  50%").And.Contain("deadline in 5.0s");
        var narrow = new StringWriter();
        var small = new Output.CliIo(narrow, new StringWriter(), _ => null, interactive: false);
        small.Console.Profile.Width = 80;
        small.Console.Write(Output.FleetRender.InstancesTable(state.View("bars"), now, live: true, width: 80));
        narrow.ToString().Split('\n').Should().AllSatisfy(l => l.Length.Should().BeLessThanOrEqualTo(80));
        narrow.ToString().Should().Contain("█████░░░░░  50%").And.NotContain("DRAIN");
    }
}
