using System.Net;
using System.Text.Json;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.EndToEnd;

/// <summary>
/// The product's main path with nothing stood in: a real etcd, a host with <c>UseEtcd()</c> and the HTTP and gRPC drains on
/// real Kestrel sockets, a real HttpClient and Python's grpcio as clients; etcd reached through a TCP relay the spec can cut.
/// </summary>
public sealed class MainPathSpec : IAsyncLifetime
{
    private const string Key = "/maintenance/e2e";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private EtcdServer _etcd = null!;
    private TcpProxy _link = null!;
    private EtcdTestWriter _writer = null!;
    private GatedServer _server = null!;
    private PythonGrpcPeer _grpc = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _link = new TcpProxy(_etcd.ClientPort);
        _writer = new EtcdTestWriter(_etcd.CreateClient());
        await _writer.PutAsync(Key, "false");
        _server = await GatedServer.StartAsync(
            services => services.AddMaintenance(m => m
                .UseEtcd(etcd =>
                {
                    etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(_link.Endpoint);
                    etcd.Key = Key;
                    etcd.ReconnectMinBackoff = TimeSpan.FromMilliseconds(50);
                    etcd.ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500);
                })
                .AddHttpDrain()
                .AddGrpcDrain(grpc => grpc.HealthServiceNames.Add("test.Echo"))),
            app =>
            {
                app.UseMaintenance();
                app.MapGet("/items", () => Results.Json(new[] { "keyboard", "mouse" }));
                GrpcTestApp.MapServices(app);
            });
        _http = _server.CreateHttp1Client();
        _grpc = await PythonGrpcPeer.StartAsync(_server.GrpcTarget);
    }

    public async Task DisposeAsync()
    {
        await _grpc.DisposeAsync();
        _http.Dispose();
        await _server.DisposeAsync();
        await _writer.DisposeAsync();
        await _link.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private IMaintenance Maintenance => _server.Services.GetRequiredService<IMaintenance>();

    private async Task ExpectServingAsync()
    {
        var response = await _http.GetAsync("/items");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var call = await _grpc.CallAsync("unary", new { method = GrpcTestApp.Say, text = "hi" });
        call.GetProperty("code").GetString().Should().Be("OK");
        call.GetProperty("text").GetString().Should().Be("echo:hi");
        (await _grpc.CallAsync("check", new { service = "test.Echo" })).GetProperty("status").GetString().Should().Be("SERVING");
    }

    private async Task ExpectRefusingAsync(string reason)
    {
        var response = await _http.GetAsync("/items");
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.RetryAfter.Should().NotBeNull();
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("reason").GetString().Should().Be(reason);

        var call = await _grpc.CallAsync("unary", new { method = GrpcTestApp.Say, text = "hi" });
        call.GetProperty("code").GetString().Should().Be("UNAVAILABLE");
        call.GetProperty("details").GetString().Should().Be($"Service in maintenance: {reason}");
        (await _grpc.CallAsync("check", new { service = "test.Echo" })).GetProperty("status").GetString().Should().Be("NOT_SERVING");
    }

    private async Task<SourceHealth> EtcdHealthAsync() => (await Maintenance.GetHealthAsync()).Sources["etcd"];

    [Fact]
    public async Task Must_refuse_HTTP_and_gRPC_when_the_key_says_maintenance_and_serve_again_when_it_clears()
    {
        await ExpectServingAsync();

        await _writer.PutAsync(Key, """{"enabled":true,"reason":"db upgrade"}""");
        (await Maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        await ExpectRefusingAsync("db upgrade");

        await _writer.PutAsync(Key, "false");
        (await Maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        await ExpectServingAsync();
    }

    [Fact]
    public async Task Must_apply_a_change_written_while_the_service_was_cut_off_from_etcd_once_it_reconnects()
    {
        await ExpectServingAsync();
        (await EtcdHealthAsync()).Connected.Should().BeTrue();

        _link.Cut();
        SourceHealth away = null!;
        (await Eventually.HoldsAsync(async () => !(away = await EtcdHealthAsync()).Connected, Wait)).Should().BeTrue("the service notices it is cut off");
        away.LastError.Should().NotBeNullOrEmpty();
        // Written while the service cannot see etcd: the service keeps serving on the last known state.
        await _writer.PutAsync(Key, """{"enabled":true,"reason":"written while cut off"}""");
        await ExpectServingAsync();

        _link.Restore();
        (await Maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue("the watcher resumes from its last revision and sees the put");
        await ExpectRefusingAsync("written while cut off");
        (await EtcdHealthAsync()).Connected.Should().BeTrue();

        await _writer.PutAsync(Key, "false");
        (await Maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        await ExpectServingAsync();
    }
}
