using System.Net;
using System.Text;
using MaintenanceActors.Dashboard.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Dashboard.Tests;

/// <summary>An etcd with authentication on: the dashboard logs in with the credentials it was given, as the core's client does.</summary>
public sealed class DashboardAuthSpec : IAsyncLifetime
{
    private EtcdServer _etcd = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        await _etcd.EnableAuthAsync();
    }

    public async Task DisposeAsync() => await _etcd.DisposeAsync();

    [Fact]
    public async Task Should_watch_and_write_with_the_etcd_credentials_it_was_given()
    {
        var options = new DashboardOptions { Port = FreePort.Get(), AuthToken = DashboardHost.Token, Output = TextWriter.Null }
            .UseEtcd(_etcd.CreateSourceOptions());
        options.Username.Should().Be("root");
        await using var dashboard = await MaintenanceDashboard.StartAsync(options, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Url) };
        await using var stream = await EventStream.OpenAsync(http);
        await stream.NextMatchingAsync(e => e.Type == "snapshot" && e.Json.GetProperty("etcd").GetProperty("connected").GetBoolean());

        await _etcd.EtcdCtlAsync("put", "/maintenance-status/secure/secure-1", """{"phase":"draining"}""");
        var change = await stream.NextMatchingAsync(e => e.Type == "change");
        using var post = new StringContent("""{"service":"secure","enabled":true,"reason":"rotate keys"}""", Encoding.UTF8, "application/json");
        post.Headers.Add(MaintenanceDashboardEndpoints.TokenHeader, DashboardHost.Token);
        var written = await http.PostAsync("api/maintenance", post);

        change.Json.GetProperty("key").GetString().Should().Be("/maintenance-status/secure/secure-1");
        written.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _etcd.EtcdCtlAsync("get", "/maintenance/secure", "--print-value-only")).Should().Contain("rotate keys");
    }
}
