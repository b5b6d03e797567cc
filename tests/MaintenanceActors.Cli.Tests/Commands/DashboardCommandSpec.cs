using System.Net;
using System.Net.Sockets;
using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Commands;

/// <summary><c>maintctl dashboard</c>: the dashboard library served with the CLI's etcd settings (the page itself is specified in the dashboard's own tests).</summary>
[Collection(EtcdCollection.Name)]
public sealed class DashboardCommandSpec(SharedEtcd etcd)
{
    [Fact]
    public async Task Must_serve_the_fleet_from_the_cli_etcd_settings_with_writes_behind_the_token_until_cancelled()
    {
        var service = SharedEtcd.NewService("dash");
        await etcd.Writer.PutAsync($"/maintenance-status/{service}/{service}-1", """{"phase":"serving","inMaintenance":false}""");
        var port = FreePort.Get();
        var output = new SharedWriter();
        var error = new SharedWriter();
        var env = new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = etcd.Endpoint, ["MAINTCTL_DASHBOARD_TOKEN"] = "cli-spec-token-0123456789" };
        using var stop = new CancellationTokenSource();
        var run = Tool.StartAsync(output, error, env, stop.Token, "dashboard", "--port", port.ToString(), "--by", "operator");
        (await Eventually.HoldsAsync(() => output.ToString().Contains($"http://127.0.0.1:{port}/"))).Should().BeTrue(error.ToString());

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        (await Eventually.HoldsAsync(async () => (await http.GetStringAsync("api/state")).Contains($"{service}-1")))
            .Should().BeTrue("the dashboard reads the fleet from the etcd named by ETCDCTL_ENDPOINTS");
        var body = $$"""{"service":"{{service}}","enabled":true,"reason":"from the cli spec"}""";
        var anonymous = await http.PostAsync("api/maintenance", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var write = new HttpRequestMessage(HttpMethod.Post, "api/maintenance") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        write.Headers.Add("X-Maintenance-Token", "cli-spec-token-0123456789");
        (await http.SendAsync(write)).IsSuccessStatusCode.Should().BeTrue();
        (await etcd.Writer.Client.GetValAsync($"/maintenance/{service}")).Should().Contain("\"by\":\"operator\"").And.Contain("from the cli spec");

        await stop.CancelAsync();
        (await run).Should().Be(0, error.ToString());
    }

    [Fact]
    public async Task Must_say_in_one_line_when_the_port_is_taken_or_not_a_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var busy = await Tool.RunAsync(etcd.Endpoint, "dashboard", "--port", port.ToString());
        busy.ExitCode.Should().Be(1, busy.ToString());
        busy.Error.Trim().Should().StartWith("maintctl: ").And.Contain(port.ToString()).And.NotContain("\n").And.NotContain("   at ");

        var wrong = await Tool.RunAsync(etcd.Endpoint, "dashboard", "--port", "http");
        wrong.ExitCode.Should().Be(2, wrong.ToString());
        wrong.Error.Trim().Should().Be("maintctl: --port must be a TCP port number from 1 to 65535, not 'http'");
    }
}
