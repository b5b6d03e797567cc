using MaintenanceActors.Testing;
using System.Net;
using Akka.Actor;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Http;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;

namespace MaintenanceActors.AspNetCore.Tests.Http;

public sealed class HttpDrainActorSpec : DrainActorTestKit, IAsyncLifetime
{
    private static readonly TimeSpan ReadinessDelay = TimeSpan.FromSeconds(5);
    private GatedServer _server = null!;
    private HttpTestApp _app = null!;
    private HttpClient _client = null!;

    public HttpDrainActorSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    public async Task InitializeAsync()
    {
        (_server, _app) = await HttpTestApp.StartAsync();
        _client = _server.CreateHttp1Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Must_finish_in_flight_requests_before_reporting_drained()
    {
        StartDrainActor();
        var slow = _client.GetStringAsync("/slow");
        await _app.SlowStarted.Task.WaitAsync(Patience);

        var drained = AskAsync<DrainCompleted>(Enter(1));
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.ServiceUnavailable, "intake stops at once without a readiness delay");
        var stats = await AskAsync<ResourceStats>(GetResourceStats.Instance);
        stats.State.Should().Be(ResourceState.Draining);
        stats.InFlight.Should().Be(1);
        drained.IsCompleted.Should().BeFalse("the slow request still runs");

        _app.ReleaseSlow.SetResult();

        (await slow.WaitAsync(Patience)).Should().Be("done");
        var report = await drained;
        report.Should().BeEquivalentTo(new { Resource = "http", Epoch = 1L, Outcome = DrainOutcome.Drained, InFlightAtDeadline = 0L });
    }

    [Fact]
    public async Task Must_report_the_requests_still_running_at_the_deadline_and_keep_refusing()
    {
        StartDrainActor();
        using var cancel = new CancellationTokenSource();
        var hanging = _client.GetAsync("/hang", cancel.Token);
        await _app.HangStarted.Task.WaitAsync(Patience);

        var drained = AskAsync<DrainCompleted>(Enter(1, deadlineIn: TimeSpan.FromSeconds(30)));
        await AskAsync<ResourceStats>(GetResourceStats.Instance);
        Time.Advance(TimeSpan.FromSeconds(30));
        var report = await drained;

        report.Outcome.Should().Be(DrainOutcome.TimedOut);
        report.InFlightAtDeadline.Should().Be(1);
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.ServiceUnavailable, "a timed-out drain leaves intake stopped");
        await cancel.CancelAsync();
        await hanging.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await Eventually.HoldsAsync(() => _server.Gates.Http.InFlight == 0)).Should().BeTrue();
    }

    [Fact]
    public async Task Must_keep_serving_during_the_readiness_delay_and_refuse_after_it()
    {
        StartDrainActor(o => o.ReadinessDelay = ReadinessDelay);

        var drained = AskAsync<DrainCompleted>(Enter(1));
        (await AskAsync<ResourceStats>(GetResourceStats.Instance)).State.Should().Be(ResourceState.Draining);
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.OK, "load balancers get time to notice readiness first");

        Time.Advance(ReadinessDelay);

        (await drained).Outcome.Should().Be(DrainOutcome.Drained);
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Must_give_the_very_first_refusal_the_reason_and_a_Retry_After_from_until()
    {
        StartDrainActor();
        // The middleware's clock is the system's (the actor's is the manual one).
        var until = DateTimeOffset.UtcNow.AddMinutes(10);
        await AskAsync<DrainCompleted>(Enter(1, info: new MaintenanceInfo("kernel patch", "ops", until)));

        var response = await _client.GetAsync("/items");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        _server.Gates.Http.GetStats().Refused.Should().Be(1, "this is the first refusal of the closure");
        (await response.Content.ReadAsStringAsync()).Should().Contain("kernel patch");
        response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(500, 600, "Retry-After counts down to until, not the 30 s default");
        _server.Gates.Http.Closure!.Until.Should().Be(until);
    }

    [Fact]
    public async Task Must_refuse_with_the_newer_reason_when_a_newer_enter_arrives_in_maintenance()
    {
        StartDrainActor();
        await AskAsync<DrainCompleted>(Enter(1, info: new MaintenanceInfo("kernel patch")));

        await AskAsync<DrainCompleted>(Enter(2, info: new MaintenanceInfo("disk swap")));

        (await (await _client.GetAsync("/items")).Content.ReadAsStringAsync()).Should().Contain("disk swap").And.NotContain("kernel patch");
    }

    [Fact]
    public async Task Must_serve_again_after_exit_and_count_served_and_refused()
    {
        StartDrainActor();
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.OK);
        (await AskAsync<DrainCompleted>(Enter(1))).Outcome.Should().Be(DrainOutcome.Drained);
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.ServiceUnavailable);

        (await AskAsync<ResumeCompleted>(new ExitMaintenance(2))).Outcome.Should().Be(ResumeOutcome.Resumed);

        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.OK);
        var stats = await AskAsync<ResourceStats>(GetResourceStats.Instance);
        stats.State.Should().Be(ResourceState.Running);
        stats.Counters.Should().Contain("served", 2).And.Contain("refused", 1);
    }

    [Fact]
    public async Task Must_answer_a_drain_superseded_by_an_exit_and_let_the_running_request_finish()
    {
        StartDrainActor();
        var slow = _client.GetStringAsync("/slow");
        await _app.SlowStarted.Task.WaitAsync(Patience);
        var drained = AskAsync<DrainCompleted>(Enter(1));

        var resumed = await AskAsync<ResumeCompleted>(new ExitMaintenance(2));

        (await drained).Outcome.Should().Be(DrainOutcome.Superseded);
        resumed.Outcome.Should().Be(ResumeOutcome.Resumed);
        (await StatusOfItemsAsync()).Should().Be(HttpStatusCode.OK);
        _app.ReleaseSlow.SetResult();
        (await slow.WaitAsync(Patience)).Should().Be("done");
    }

    private void StartDrainActor(Action<HttpDrainOptions>? configure = null)
    {
        var options = new HttpDrainOptions();
        configure?.Invoke(options);
        Drain = Sys.ActorOf(Props.Create(() => new HttpDrainActor(_server.Gates, Options.Create(options))), "http");
    }

    private async Task<HttpStatusCode> StatusOfItemsAsync() => (await _client.GetAsync("/items")).StatusCode;
}
