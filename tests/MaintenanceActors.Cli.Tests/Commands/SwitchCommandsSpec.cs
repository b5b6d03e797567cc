using System.Text.Json;
using MaintenanceActors.Cli.Tests.Support;

namespace MaintenanceActors.Cli.Tests.Commands;

[Collection(EtcdCollection.Name)]
public sealed class SwitchCommandsSpec(SharedEtcd etcd)
{
    private async Task<string?> ReadAsync(string key)
    {
        var response = await etcd.Writer.Client.GetAsync(key);
        return response.Kvs.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    [Fact]
    public async Task Must_write_the_service_wide_key_with_reason_by_and_until_as_the_services_read_it()
    {
        var service = SharedEtcd.NewService("enable");
        var before = DateTimeOffset.UtcNow;

        var result = await Tool.RunAsync(etcd.Endpoint, "enable", service, "--reason", "db upgrade", "--for", "30m");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain($"{service}: maintenance on (reason: db upgrade, by tester@ci, until ");
        var value = MaintenanceValueParser.Parse(await ReadAsync($"/maintenance/{service}"), "k", 0);
        value.IsMalformed.Should().BeFalse();
        value.Enabled.Should().BeTrue();
        value.Info!.Reason.Should().Be("db upgrade");
        value.Info.By.Should().Be("tester@ci");
        value.Info.Until.Should().BeOnOrAfter(before.AddMinutes(30)).And.BeOnOrBefore(DateTimeOffset.UtcNow.AddMinutes(30));
    }

    [Fact]
    public async Task Must_write_only_the_instance_key_with_instance_and_disable_with_who_and_why()
    {
        var service = SharedEtcd.NewService("instance");

        var on = await Tool.RunAsync(etcd.Endpoint, "enable", service, "--instance", $"{service}-3", "--by", "alice", "--until", "2099-01-01T00:00:00Z");
        var off = await Tool.RunAsync(etcd.Endpoint, "disable", service, "-i", $"{service}-3", "--reason", "done", "-o", "json");

        on.ExitCode.Should().Be(0, on.ToString());
        off.ExitCode.Should().Be(0, off.ToString());
        (await ReadAsync($"/maintenance/{service}")).Should().BeNull();
        var value = MaintenanceValueParser.Parse(await ReadAsync($"/maintenance/{service}/instances/{service}-3"), "k", 0);
        value.Enabled.Should().BeFalse();
        value.Info!.Reason.Should().Be("done");
        value.Info.By.Should().Be("tester@ci");
        using var doc = JsonDocument.Parse(off.Output);
        doc.RootElement.GetProperty("key").GetString().Should().Be($"/maintenance/{service}/instances/{service}-3");
        doc.RootElement.GetProperty("revision").GetInt64().Should().BePositive();
    }

    [Fact]
    public async Task Should_note_that_an_instance_stays_in_maintenance_while_the_service_wide_key_is_on()
    {
        var service = SharedEtcd.NewService("note");
        await Tool.RunAsync(etcd.Endpoint, "enable", service);

        var result = await Tool.RunAsync(etcd.Endpoint, "disable", service, "--instance", $"{service}-1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Trim().Should().Be($"maintctl: note: service-wide maintenance of {service} is still on, so {service}-1 stays in maintenance (maintctl disable {service})");
    }

    [Theory]
    [InlineData("--for", "5x", "--for must be a positive duration")]
    [InlineData("--for", "0s", "--for must be a positive duration")]
    [InlineData("--until", "tomorrow", "--until must be an ISO-8601 time")]
    [InlineData("--until", "2020-01-01T00:00:00Z", "is in the past")]
    public async Task Must_refuse_a_bad_until_with_exit_2_and_write_nothing(string flag, string value, string message)
    {
        var service = SharedEtcd.NewService("bad");

        var result = await Tool.RunAsync(etcd.Endpoint, "enable", service, flag, value);

        result.ExitCode.Should().Be(2);
        result.Error.Should().StartWith("maintctl: ").And.Contain(message);
        result.Error.Trim().Split('\n').Should().ContainSingle();
        (await ReadAsync($"/maintenance/{service}")).Should().BeNull();
    }

    [Fact]
    public async Task Must_refuse_until_and_for_together()
    {
        var result = await Tool.RunAsync(etcd.Endpoint, "enable", "svc", "--for", "1m", "--until", "2099-01-01T00:00:00Z");

        result.ExitCode.Should().Be(2);
        result.Error.Trim().Should().Be("maintctl: give --until or --for, not both");
    }
}
