using System.Text.Json;
using MaintenanceActors.Cli.Tests.Support;

namespace MaintenanceActors.Cli.Tests.Commands;

[Collection(EtcdCollection.Name)]
public sealed class StatusCommandSpec(SharedEtcd etcd)
{
    private static string Status(string service, string instance, string phase, bool inMaintenance, string extra = "") =>
        $$"""{"service":"{{service}}","instance":"{{instance}}","host":"web-{{instance[^1]}}","version":"1.4.2","epoch":7,"phase":"{{phase}}","inMaintenance":{{(inMaintenance ? "true" : "false")}},"reason":{{(inMaintenance ? "\"db upgrade\"" : "null")}},"by":{{(inMaintenance ? "\"alice\"" : "null")}},"until":null,"source":{{(inMaintenance ? "\"instance\"" : "null")}},"inFlight":0,"drainDurationMs":{{(phase == "drained" ? "212" : "null")}},"resources":[{"name":"http","state":"{{phase}}","outcome":{{(phase == "drained" ? "\"drained\"" : "null")}},"inFlight":0}],"updatedAt":"2026-12-01T20:00:00Z"{{extra}}}""";

    [Fact]
    public async Task Must_show_each_instance_with_state_maintenance_reason_by_and_drain_outcome()
    {
        var service = SharedEtcd.NewService("orders");
        await etcd.Writer.PutAsync($"/maintenance/{service}/instances/{service}-2", """{"enabled":true,"reason":"db upgrade","by":"alice","until":"2099-01-01T00:00:00Z"}""");
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1", Status(service, $"{service}-1", "serving", false));
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-2", Status(service, $"{service}-2", "drained", true));

        var result = await Tool.RunAsync(etcd.Endpoint, "status", service);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().BeEmpty();
        result.Output.Should().Contain($"{service}: no service-wide key; 2 instance(s), 1 serving, 1 not serving");
        var lines = result.Output.Split('\n');
        lines.Single(l => l.Contains($"{service}-1 ")).Should().Contain("serving").And.Contain("off").And.Contain("web-1").And.Contain("1.4.2");
        lines.Single(l => l.Contains($"{service}-2 ")).Should().Contain("drained").And.Contain("on (instance)").And.Contain("db upgrade")
            .And.Contain("alice").And.Contain("drained in 212ms").And.Contain("http drained");
    }

    [Fact]
    public async Task Must_give_the_same_view_as_json_with_the_instances_own_status_documents()
    {
        var service = SharedEtcd.NewService("orders");
        await etcd.Writer.PutAsync($"/maintenance/{service}", """{"enabled":true,"reason":"migration","by":"bob"}""");
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1", Status(service, $"{service}-1", "draining", true, ""","future":{"x":1}"""));

        var result = await Tool.RunAsync(etcd.Endpoint, "status", service, "--output", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Output);
        var root = doc.RootElement;
        root.GetProperty("service").GetString().Should().Be(service);
        root.GetProperty("serviceWideMaintenance").GetBoolean().Should().BeTrue();
        root.GetProperty("serviceKey").GetProperty("reason").GetString().Should().Be("migration");
        root.GetProperty("serviceKey").GetProperty("by").GetString().Should().Be("bob");
        var instance = root.GetProperty("instances").EnumerateArray().Single();
        instance.GetProperty("instance").GetString().Should().Be($"{service}-1");
        instance.GetProperty("phase").GetString().Should().Be("draining");
        instance.GetProperty("inMaintenance").GetBoolean().Should().BeTrue();
        // Unknown fields are passed through untouched: the contract may grow.
        instance.GetProperty("status").GetProperty("future").GetProperty("x").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Must_list_every_service_with_its_maintenance_and_instance_counts()
    {
        var quiet = SharedEtcd.NewService("quiet");
        var busy = SharedEtcd.NewService("busy");
        await etcd.Writer.PutAsync($"/maintenance/{busy}", """{"enabled":true,"reason":"kernel","by":"carol"}""");
        await etcd.Writer.PutAsync($"/maintenance-status/{quiet}/{quiet}-1", Status(quiet, $"{quiet}-1", "serving", false));
        await etcd.Writer.PutAsync($"/maintenance-status/{busy}/{busy}-1", Status(busy, $"{busy}-1", "drained", true));

        var text = await Tool.RunAsync(etcd.Endpoint, "status");
        var json = await Tool.RunAsync(etcd.Endpoint, "status", "-o", "json");

        text.ExitCode.Should().Be(0, text.ToString());
        var lines = text.Output.Split('\n');
        lines.Single(l => l.Contains($" {busy} ")).Should().Contain(" on ").And.Contain("kernel").And.Contain("carol");
        lines.Single(l => l.Contains($" {quiet} ")).Should().Contain(" off ");
        json.ExitCode.Should().Be(0, json.ToString());
        using var doc = JsonDocument.Parse(json.Output);
        var services = doc.RootElement.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("service").GetString()!);
        services[busy].GetProperty("serviceWideMaintenance").GetBoolean().Should().BeTrue();
        services[busy].GetProperty("unavailable").GetInt32().Should().Be(1);
        services[quiet].GetProperty("serviceWideMaintenance").GetBoolean().Should().BeFalse();
        services[quiet].GetProperty("available").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Should_show_an_unreadable_status_as_a_row_instead_of_failing()
    {
        var service = SharedEtcd.NewService("odd");
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1", "not json at all");
        await etcd.Writer.PutAsync($"/maintenance/{service}", "{broken");

        var result = await Tool.RunAsync(etcd.Endpoint, "status", service);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("unreadable").And.Contain("service-wide key unreadable");
    }

    [Fact]
    public async Task Must_treat_an_expired_until_as_off()
    {
        var service = SharedEtcd.NewService("expired");
        await etcd.Writer.PutAsync($"/maintenance/{service}", """{"enabled":true,"reason":"old","until":"2020-01-01T00:00:00Z"}""");

        var result = await Tool.RunAsync(etcd.Endpoint, "status", service, "-o", "json");

        using var doc = JsonDocument.Parse(result.Output);
        doc.RootElement.GetProperty("serviceWideMaintenance").GetBoolean().Should().BeFalse();
    }
}
