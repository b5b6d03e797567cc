using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Grpc;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;

namespace MaintenanceActors.AspNetCore.Tests.Grpc;

/// <summary>The gRPC drain actor driving the gate and the health service, seen by a real grpcio client.</summary>
public sealed class GrpcDrainActorSpec : DrainActorTestKit, IAsyncLifetime
{
    private GatedServer _server = null!;
    private PythonGrpcPeer _peer = null!;

    public GrpcDrainActorSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    public async Task InitializeAsync()
    {
        _server = await GrpcTestApp.StartAsync();
        _peer = await PythonGrpcPeer.StartAsync(_server.GrpcTarget);
    }

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Must_report_NOT_SERVING_first_while_calls_still_succeed_during_the_readiness_delay()
    {
        StartDrainActor(o => o.ReadinessDelay = TimeSpan.FromSeconds(5));
        var (_, watch) = await _peer.OpenStreamAsync("watch", new { service = "test.Echo" });
        (await StatusAsync(watch)).Should().Be("SERVING");

        var drained = AskAsync<DrainCompleted>(Enter(1));
        (await StatusAsync(watch)).Should().Be("NOT_SERVING");
        (await CodeOfSayAsync()).Should().Be("OK", "calls are still accepted while clients notice the health change");

        Time.Advance(TimeSpan.FromSeconds(5));
        (await drained).Outcome.Should().Be(DrainOutcome.Drained);
        (await CodeOfSayAsync()).Should().Be("UNAVAILABLE");

        (await AskAsync<ResumeCompleted>(new ExitMaintenance(2))).Outcome.Should().Be(ResumeOutcome.Resumed);
        (await StatusAsync(watch)).Should().Be("SERVING");
        (await CodeOfSayAsync()).Should().Be("OK");
    }

    [Fact]
    public async Task Must_end_streams_still_running_at_the_deadline_with_UNAVAILABLE_and_report_them()
    {
        StartDrainActor();
        var (_, ticks) = await OpenTickerAsync();

        var drained = AskAsync<DrainCompleted>(Enter(1, deadlineIn: TimeSpan.FromSeconds(30)));
        await AskAsync<ResourceStats>(GetResourceStats.Instance);
        Time.Advance(TimeSpan.FromSeconds(30));

        var report = await drained;
        report.Outcome.Should().Be(DrainOutcome.TimedOut);
        report.InFlightAtDeadline.Should().Be(1);
        Code(await EndOfAsync(ticks)).Should().Be("UNAVAILABLE");
        await _server.Gates.Grpc.WhenIdle.WaitAsync(Patience);
    }

    [Fact]
    public async Task Must_end_streams_after_EndCallsAfter_so_the_drain_completes_before_its_deadline()
    {
        StartDrainActor(o => o.EndCallsAfter = TimeSpan.FromSeconds(2));
        var (_, ticks) = await OpenTickerAsync();

        var drained = AskAsync<DrainCompleted>(Enter(1, deadlineIn: TimeSpan.FromMinutes(5)));
        await AskAsync<ResourceStats>(GetResourceStats.Instance);
        Time.Advance(TimeSpan.FromSeconds(2));

        Code(await EndOfAsync(ticks)).Should().Be("UNAVAILABLE");
        (await drained).Outcome.Should().Be(DrainOutcome.Drained);
    }

    [Fact]
    public async Task Must_let_streams_run_on_when_maintenance_is_cancelled_mid_drain()
    {
        StartDrainActor();
        var (_, ticks) = await OpenTickerAsync();
        var drained = AskAsync<DrainCompleted>(Enter(1));

        (await AskAsync<ResumeCompleted>(new ExitMaintenance(2))).Outcome.Should().Be(ResumeOutcome.Resumed);

        (await drained).Outcome.Should().Be(DrainOutcome.Superseded);
        await AskAsync<ResourceStats>(GetResourceStats.Instance);
        for (int i = 0; i < 3; i++)
        {
            (await PythonGrpcPeer.NextAsync(ticks)).GetProperty("event").GetString().Should().Be("message");
        }

        _server.Gates.Grpc.EndRequested.IsCancellationRequested.Should().BeFalse();
        (await CodeOfSayAsync()).Should().Be("OK");
    }

    [Fact]
    public async Task Must_give_the_very_first_refused_call_the_reason()
    {
        StartDrainActor();
        await AskAsync<DrainCompleted>(Enter(1, info: new MaintenanceInfo("schema migration")));

        var reply = await _peer.CallAsync("unary", new { method = GrpcTestApp.Say, text = "x" });

        Code(reply).Should().Be("UNAVAILABLE");
        _server.Gates.Grpc.GetStats().Refused.Should().Be(1, "this is the first refusal of the closure");
        reply.GetProperty("details").GetString().Should().Be("Service in maintenance: schema migration");
    }

    [Fact]
    public async Task Must_end_streams_at_a_deadline_that_falls_within_the_readiness_delay_and_stop_intake()
    {
        StartDrainActor(o => o.ReadinessDelay = TimeSpan.FromMinutes(1));
        var (_, ticks) = await OpenTickerAsync();

        var drained = AskAsync<DrainCompleted>(Enter(1, deadlineIn: TimeSpan.FromSeconds(30)));
        await AskAsync<ResourceStats>(GetResourceStats.Instance);
        Time.Advance(TimeSpan.FromSeconds(30));

        var report = await drained;
        report.Outcome.Should().Be(DrainOutcome.TimedOut);
        report.InFlightAtDeadline.Should().Be(1);
        Code(await EndOfAsync(ticks)).Should().Be("UNAVAILABLE");
        (await CodeOfSayAsync()).Should().Be("UNAVAILABLE", "a timed-out drain refuses new calls even if the readiness delay had not passed");
    }

    private void StartDrainActor(Action<GrpcDrainOptions>? configure = null)
    {
        var options = new GrpcDrainOptions();
        options.HealthServiceNames.Add("test.Echo");
        configure?.Invoke(options);
        Drain = Sys.ActorOf(Props.Create(() => new GrpcDrainActor(_server.Gates, _server.HealthBoard, Options.Create(options))), "grpc");
    }

    private async Task<(int, ChannelReader<JsonElement>)> OpenTickerAsync()
    {
        var stream = await _peer.OpenStreamAsync("stream", new { method = GrpcTestApp.Ticks, text = "t" });
        (await PythonGrpcPeer.NextAsync(stream.Events)).GetProperty("event").GetString().Should().Be("message");
        return stream;
    }

    private static async Task<JsonElement> EndOfAsync(ChannelReader<JsonElement> events)
    {
        JsonElement next;
        do
        {
            next = await PythonGrpcPeer.NextAsync(events);
        }
        while (next.GetProperty("event").GetString() == "message");

        return next;
    }

    private static async Task<string?> StatusAsync(ChannelReader<JsonElement> watch) =>
        (await PythonGrpcPeer.NextAsync(watch)).GetProperty("status").GetString();

    private async Task<string?> CodeOfSayAsync() => Code(await _peer.CallAsync("unary", new { method = GrpcTestApp.Say, text = "x" }));

    private static string? Code(JsonElement reply) => reply.GetProperty("code").GetString();
}
