using System.Text.Json;
using MaintenanceActors.Cli.Tests.Support;

namespace MaintenanceActors.Cli.Tests.Commands;

[Collection(EtcdCollection.Name)]
public sealed class HistoryCommandSpec(SharedEtcd etcd)
{
    [Fact]
    public async Task Must_list_the_changes_of_the_service_and_instance_keys_newest_first_with_who_and_why()
    {
        var service = SharedEtcd.NewService("hist");
        await Tool.RunAsync(etcd.Endpoint, "enable", service, "--reason", "first", "--by", "alice");
        await Tool.RunAsync(etcd.Endpoint, "enable", service, "--instance", $"{service}-1", "--reason", "second", "--by", "bob");
        await etcd.Writer.PutAsync("/unrelated", "x");
        await Tool.RunAsync(etcd.Endpoint, "disable", service, "--reason", "third", "--by", "carol");

        var json = await Tool.RunAsync(etcd.Endpoint, "history", service, "-o", "json");
        var text = await Tool.RunAsync(etcd.Endpoint, "history", service);

        json.ExitCode.Should().Be(0, json.ToString());
        using var doc = JsonDocument.Parse(json.Output);
        var changes = doc.RootElement.GetProperty("changes").EnumerateArray().ToArray();
        changes.Select(c => c.GetProperty("value").GetProperty("reason").GetString()).Should().Equal("third", "second", "first");
        changes.Select(c => c.GetProperty("value").GetProperty("by").GetString()).Should().Equal("carol", "bob", "alice");
        changes.Select(c => c.GetProperty("value").GetProperty("enabled").GetBoolean()).Should().Equal(false, true, true);
        changes.Select(c => c.GetProperty("instance").GetString()).Should().Equal(null, $"{service}-1", null);
        changes.Select(c => c.GetProperty("revision").GetInt64()).Should().BeInDescendingOrder();
        text.ExitCode.Should().Be(0, text.ToString());
        text.Output.Should().Contain("third").And.Contain("carol").And.Contain($"{service}-1");
    }

    [Fact]
    public async Task Should_keep_the_newest_changes_up_to_the_limit_and_stop_at_a_deletion()
    {
        var service = SharedEtcd.NewService("limit");
        for (var i = 1; i <= 5; i++)
        {
            await Tool.RunAsync(etcd.Endpoint, i % 2 == 1 ? "enable" : "disable", service, "--reason", $"change {i}");
            if (i == 2)
            {
                await etcd.Writer.DeleteAsync($"/maintenance/{service}");
            }
        }

        var all = await Tool.RunAsync(etcd.Endpoint, "history", service, "-o", "json");
        var two = await Tool.RunAsync(etcd.Endpoint, "history", service, "-o", "json", "--limit", "2");

        using var allDoc = JsonDocument.Parse(all.Output);
        allDoc.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("value").GetProperty("reason").GetString())
            .Should().Equal(["change 5", "change 4", "change 3"], "the key was deleted after change 2, and etcd keeps no index of deleted keys to follow");
        using var twoDoc = JsonDocument.Parse(two.Output);
        twoDoc.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("value").GetProperty("reason").GetString())
            .Should().Equal("change 5", "change 4");
    }

    [Fact]
    public async Task Should_say_so_when_etcd_compacted_the_older_changes()
    {
        var service = SharedEtcd.NewService("compacted");
        await Tool.RunAsync(etcd.Endpoint, "enable", service, "--reason", "old");
        var revision = await etcd.Writer.PutAsync($"/maintenance/{service}", """{"enabled":false,"reason":"new"}""");
        await etcd.Writer.CompactAsync(revision);

        var result = await Tool.RunAsync(etcd.Endpoint, "history", service, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Output);
        doc.RootElement.GetProperty("truncatedByCompaction").GetBoolean().Should().BeTrue();
        doc.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("value").GetProperty("reason").GetString()).Should().Equal("new");
    }
}
