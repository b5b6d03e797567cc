using System.Net;
using System.Net.Sockets;
using MaintenanceActors.Dashboard.Tests.Support;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Dashboard.Tests;

/// <summary>How the dashboard is hosted: on its own (what maintctl runs) or mapped into a service's app.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardHostingSpec(DashboardHost host)
{
    [Fact]
    public async Task Should_print_the_url_with_a_generated_token_once()
    {
        var output = new StringWriter();
        var options = host.Options();
        options.AuthToken = null;
        options.Output = output;
        await using var dashboard = await MaintenanceDashboard.StartAsync(options, CancellationToken.None);

        var printed = output.ToString();
        printed.Should().Be($"Maintenance dashboard: http://127.0.0.1:{options.Port}/#token={dashboard.Runtime.Token}{Environment.NewLine}");
        dashboard.Runtime.TokenGenerated.Should().BeTrue();
        dashboard.Runtime.Token.Length.Should().BeGreaterThanOrEqualTo(32);
    }

    [Fact]
    public async Task Should_not_print_a_configured_token()
    {
        host.Printed.Should().StartWith("Maintenance dashboard: http://127.0.0.1:").And.NotContain(DashboardHost.Token);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Must_say_in_one_line_when_the_port_is_taken()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var options = host.Options();
        options.Port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var act = () => MaintenanceDashboard.StartAsync(options, CancellationToken.None);

        (await act.Should().ThrowAsync<DashboardStartException>()).Which.Message
            .Should().StartWith($"The dashboard cannot listen on 127.0.0.1:{options.Port}").And.NotContain("\n");
    }

    [Fact]
    public async Task Must_stop_run_async_when_cancelled()
    {
        var options = host.Options();
        options.Output = TextWriter.Null;
        using var stop = new CancellationTokenSource();
        var run = MaintenanceDashboard.RunAsync(options, stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}/") };
        (await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("api/state")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        })).Should().BeTrue("RunAsync serves until cancelled");

        stop.Cancel();

        await run.WaitAsync(TimeSpan.FromSeconds(20));
        await http.Invoking(h => h.GetAsync("api/state")).Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task Should_serve_under_a_path_in_a_services_own_app()
    {
        var port = FreePort.Get();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddMaintenanceDashboard(o =>
        {
            o.Endpoints = [host.Etcd.Endpoint];
            o.AuthToken = DashboardHost.Token;
        });
        await using var app = builder.Build();
        app.MapMaintenanceDashboard("/ops/maintenance");
        await app.StartAsync();
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            var redirect = await http.GetAsync("ops/maintenance");
            redirect.StatusCode.Should().Be(HttpStatusCode.Redirect);
            redirect.Headers.Location!.ToString().Should().Be("/ops/maintenance/", "the page's relative links need the slash");
            (await http.GetAsync("ops/maintenance/")).StatusCode.Should().Be(HttpStatusCode.OK);
            await using var stream = await EventStream.OpenAsync(http, "ops/maintenance/events");
            (await stream.NextAsync()).Type.Should().Be("snapshot");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Must_answer_only_to_loopback_names_when_bound_to_loopback()
    {
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "api/state");
        rebound.Headers.Host = "attacker.example";
        using var local = new HttpRequestMessage(HttpMethod.Get, "api/state");
        local.Headers.Host = "localhost";

        var refused = await host.Http.SendAsync(rebound);
        var served = await host.Http.SendAsync(local);

        refused.StatusCode.Should().Be(HttpStatusCode.MisdirectedRequest, "a page whose DNS name was rebound to 127.0.0.1 must not read the fleet");
        served.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Should_serve_and_say_etcd_is_away_when_etcd_cannot_be_reached()
    {
        var options = host.Options();
        options.Endpoints = [$"http://127.0.0.1:{FreePort.Get()}"];
        options.Output = TextWriter.Null;
        await using var dashboard = await MaintenanceDashboard.StartAsync(options, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Url) };

        await using var stream = await EventStream.OpenAsync(http);
        var away = await stream.NextMatchingAsync(e => e.Type == "etcd", TimeSpan.FromSeconds(30));

        away.Json.GetProperty("connected").GetBoolean().Should().BeFalse();
        away.Json.GetProperty("error").GetString().Should().Contain("etcd");
        (await http.GetAsync("")).StatusCode.Should().Be(HttpStatusCode.OK, "the page is served while etcd is away");
    }

    [Fact]
    public void Must_ask_for_the_services_when_mapping_without_them()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var act = () => app.MapMaintenanceDashboard();

        act.Should().Throw<InvalidOperationException>().WithMessage("*AddMaintenanceDashboard*");
    }
}
