using MaintenanceActors.Testing;
using System.Diagnostics;
using FluentAssertions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using MaintenanceActors.AspNetCore.Tests.Fixtures.Protos;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace MaintenanceActors.AspNetCore.Tests.Grpc;

/// <summary>The gRPC gate and grpc.health.v1 seen by Grpc.Net.Client (generated test.proto client, Grpc.HealthCheck's health client).</summary>
public sealed class GrpcNetClientSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private GatedServer _server = null!;
    private GrpcChannel _channel = null!;
    private Echo.EchoClient _echo = null!;
    private Health.HealthClient _health = null!;

    private RequestGate Gate => _server.Gates.Grpc;

    public async Task InitializeAsync()
    {
        _server = await GrpcTestApp.StartAsync();
        _channel = GrpcChannel.ForAddress(_server.Http2);
        _echo = new Echo.EchoClient(_channel);
        _health = new Health.HealthClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Must_refuse_calls_with_UNAVAILABLE_and_the_reason_during_maintenance_and_serve_them_after()
    {
        Gate.Close("schema upgrade: 100% übung");

        var refused = await Assert.ThrowsAsync<RpcException>(() => SayAsync("hi"));
        Gate.Open();
        var served = await SayAsync("again");

        refused.StatusCode.Should().Be(StatusCode.Unavailable);
        refused.Status.Detail.Should().Be("Service in maintenance: schema upgrade: 100% übung", "the reason is percent-encoded on the wire and decoded by the client");
        served.Should().Be("echo:again");
        Gate.GetStats().Should().Be(new RequestGateStats(0, 1, 1, false));
    }

    [Fact]
    public async Task Must_keep_skipped_methods_and_health_answering_during_maintenance_without_counting_them()
    {
        Gate.Close("upgrade");
        _server.HealthBoard.SetServing(false);

        (await new Admin.AdminClient(_channel).PingAsync(new StringValue()).ResponseAsync.WaitAsync(Patience)).Value.Should().Be("pong");
        (await CheckAsync("")).Should().Be(ServingStatus.NotServing);
        (await CheckAsync("test.Echo")).Should().Be(ServingStatus.NotServing);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => CheckAsync("no.Such"));

        unknown.StatusCode.Should().Be(StatusCode.NotFound);
        Gate.GetStats().Should().Be(new RequestGateStats(0, 0, 0, true), "skipped and health calls are neither refused nor work to drain");
    }

    [Fact]
    public async Task Must_stream_SERVING_then_NOT_SERVING_then_SERVING_to_a_watcher()
    {
        using var watch = _health.Watch(new HealthCheckRequest { Service = "test.Echo" });
        (await NextStatusAsync(watch)).Should().Be(ServingStatus.Serving);

        _server.HealthBoard.SetServing(false);
        (await NextStatusAsync(watch)).Should().Be(ServingStatus.NotServing);

        _server.HealthBoard.SetServing(true);
        (await NextStatusAsync(watch)).Should().Be(ServingStatus.Serving);
        _server.HealthBoard.OpenWatches.Should().Be(1);
        Gate.InFlight.Should().Be(0, "watch streams never hold up a drain");
    }

    [Fact]
    public async Task Must_end_every_open_watch_with_UNAVAILABLE_when_EndWatches_is_called_and_end_later_ones_after_their_status()
    {
        using var whole = _health.Watch(new HealthCheckRequest { Service = "" });
        using var echo = _health.Watch(new HealthCheckRequest { Service = "test.Echo" });
        (await NextStatusAsync(whole)).Should().Be(ServingStatus.Serving);
        (await NextStatusAsync(echo)).Should().Be(ServingStatus.Serving);
        _server.HealthBoard.SetServing(false);
        (await NextStatusAsync(whole)).Should().Be(ServingStatus.NotServing);
        (await NextStatusAsync(echo)).Should().Be(ServingStatus.NotServing);

        _server.HealthBoard.EndWatches();

        await ShouldEndShuttingDownAsync(whole);
        await ShouldEndShuttingDownAsync(echo);
        using var late = _health.Watch(new HealthCheckRequest { Service = "" });
        (await NextStatusAsync(late)).Should().Be(ServingStatus.NotServing, "a watcher that arrives during shutdown still learns the status");
        await ShouldEndShuttingDownAsync(late);
        (await Eventually.HoldsAsync(() => _server.HealthBoard.OpenWatches == 0)).Should().BeTrue();
        (await CheckAsync("")).Should().Be(ServingStatus.NotServing, "Check keeps answering after the watches ended");
    }

    [Fact]
    public async Task Must_end_watches_when_the_host_stops_so_the_stop_does_not_wait_for_the_shutdown_timeout()
    {
        using var watch = _health.Watch(new HealthCheckRequest { Service = "" });
        (await NextStatusAsync(watch)).Should().Be(ServingStatus.Serving);

        // The fixture stops with a 10 s limit (the host's own ShutdownTimeout is 30 s): a watch that held the stop would
        // take those 10 s and then be cut (not ended with "Server is shutting down.").
        var stopping = Stopwatch.StartNew();
        await _server.StopAsync().WaitAsync(TimeSpan.FromSeconds(8));

        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8));
        await ShouldEndShuttingDownAsync(watch);
        _server.HealthBoard.WatchesEnded.Should().BeTrue();
    }

    [Fact]
    public async Task Must_count_a_stream_until_it_ends_and_end_it_with_UNAVAILABLE_and_the_reason_when_the_drain_asks()
    {
        using var ticks = _echo.Ticks(new StringValue { Value = "t" });
        (await NextTextAsync(ticks)).Should().Be("t#0");
        Gate.InFlight.Should().Be(1);

        Gate.Close("upgrade");
        (await NextTextAsync(ticks)).Should().Be("t#1", "an admitted stream keeps running while the drain waits");
        Gate.EndInFlight();

        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await ticks.ResponseStream.MoveNext().WaitAsync(Patience))
            {
            }
        });
        ended.StatusCode.Should().Be(StatusCode.Unavailable);
        ended.Status.Detail.Should().Be("Service in maintenance: upgrade");
        await Gate.WhenIdle.WaitAsync(Patience);
    }

    [Fact]
    public async Task Must_end_a_slow_unary_call_with_UNAVAILABLE_and_the_reason_when_the_drain_asks()
    {
        using var waiting = _echo.WaitAsync(new StringValue { Value = "w" });
        (await Eventually.HoldsAsync(() => Gate.InFlight == 1)).Should().BeTrue();
        Gate.Close("upgrade");

        Gate.EndInFlight();

        var ended = await Assert.ThrowsAsync<RpcException>(() => waiting.ResponseAsync.WaitAsync(Patience));
        ended.StatusCode.Should().Be(StatusCode.Unavailable);
        ended.Status.Detail.Should().Be("Service in maintenance: upgrade");
        await Gate.WhenIdle.WaitAsync(Patience);
    }

    [Fact]
    public async Task Must_return_the_count_to_zero_when_the_client_cancels_a_stream_mid_drain()
    {
        using var cancel = new CancellationTokenSource();
        using var ticks = _echo.Ticks(new StringValue { Value = "t" }, cancellationToken: cancel.Token);
        await NextTextAsync(ticks);
        Gate.Close();

        cancel.Cancel();

        await Gate.WhenIdle.WaitAsync(Patience);
        Gate.InFlight.Should().Be(0);
        Gate.EndRequested.IsCancellationRequested.Should().BeFalse("the client ended it, not the drain");
    }

    private async Task<string> SayAsync(string text) => (await _echo.SayAsync(new StringValue { Value = text }).ResponseAsync.WaitAsync(Patience)).Value;

    private async Task<ServingStatus> CheckAsync(string service) =>
        (await _health.CheckAsync(new HealthCheckRequest { Service = service }).ResponseAsync.WaitAsync(Patience)).Status;

    private static async Task<ServingStatus> NextStatusAsync(AsyncServerStreamingCall<HealthCheckResponse> watch)
    {
        (await watch.ResponseStream.MoveNext().WaitAsync(Patience)).Should().BeTrue("the watch should still be open");
        return watch.ResponseStream.Current.Status;
    }

    private static async Task<string> NextTextAsync(AsyncServerStreamingCall<StringValue> stream)
    {
        (await stream.ResponseStream.MoveNext().WaitAsync(Patience)).Should().BeTrue("the stream should still be open");
        return stream.ResponseStream.Current.Value;
    }

    private static async Task ShouldEndShuttingDownAsync(AsyncServerStreamingCall<HealthCheckResponse> watch)
    {
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext().WaitAsync(Patience));
        ended.StatusCode.Should().Be(StatusCode.Unavailable, "a watcher retries elsewhere instead of believing a stopping server");
        ended.Status.Detail.Should().Be("Server is shutting down.");
    }
}
