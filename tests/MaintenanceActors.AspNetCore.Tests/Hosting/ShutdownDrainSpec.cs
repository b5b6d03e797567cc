using MaintenanceActors.Testing;
using System.Net;
using System.Text.Json;
using Akka.Actor;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Http;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace MaintenanceActors.AspNetCore.Tests.Hosting;

/// <summary>
/// Stopping the host drains like maintenance (issue 8 item 3): a real Kestrel, real HttpClients, and
/// <c>host.StopAsync()</c>, which runs the maintenance drain and Akka's CoordinatedShutdown.
/// </summary>
public sealed class ShutdownDrainSpec(ITestOutputHelper output)
{
    private const int Clients = 16;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Timeline _timeline = new();
    private readonly TaskCompletionSource _slowStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseSlow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _refusalsSeenByServer;
    private long _refusedWhileReady;

    [Fact]
    public async Task Must_flip_readiness_refuse_new_requests_finish_admitted_ones_and_lose_none_when_the_host_stops_under_load()
    {
        var capture = new LogCapture(_timeline);
        await using var server = await StartAsync(capture, shutdownDrainTimeout: TimeSpan.FromSeconds(20));
        using var client = server.CreateHttp1Client();
        using var probe = server.CreateHttp1Client();
        long sent = 0, completed = 0, refused = 0, malformed = 0, failed = 0;
        int next = 0, stopSending = 0;
        string? firstOther = null;
        var turnedAway = new bool[Clients];

        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            while (Volatile.Read(ref stopSending) == 0)
            {
                int i = Interlocked.Increment(ref next);
                Interlocked.Increment(ref sent);
                try
                {
                    using var response = await client.GetAsync($"/work/{i}");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body == "ok")
                    {
                        Interlocked.Increment(ref completed);
                    }
                    else if (IsWellFormedRefusal(response, body))
                    {
                        Interlocked.Increment(ref refused);
                        Volatile.Write(ref turnedAway[c], true);
                    }
                    else
                    {
                        Interlocked.Increment(ref malformed);
                        Interlocked.CompareExchange(ref firstOther, $"#{i}: {(int)response.StatusCode} {body}", null);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstOther, $"#{i}: {ex.GetType().Name}: {ex.Message}", null);
                }
            }
        })).ToArray();

        // Under load, with one request held open so the drain cannot finish before every client met the closed gate.
        (await Eventually.HoldsAsync(() => Interlocked.Read(ref completed) >= 500, Patience)).Should().BeTrue("the clients get going");
        var slow = client.GetStringAsync("/slow");
        await _slowStarted.Task.WaitAsync(Patience);

        _timeline.Mark("stop requested");
        var stopping = server.StopAsync(within: TimeSpan.FromSeconds(60));

        (await Eventually.HoldsAsync(() => Enumerable.Range(0, Clients).All(c => Volatile.Read(ref turnedAway[c])), Patience)).Should()
            .BeTrue("every client meets the closed gate while the drain waits for the admitted request (first other answer: {0})", firstOther);
        var readiness = await probe.GetAsync("/health/ready");
        readiness.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "readiness reports unhealthy while the host drains");
        (await readiness.Content.ReadAsStringAsync()).Should().Be("Unhealthy");
        Volatile.Write(ref stopSending, 1);
        await Task.WhenAll(clients).WaitAsync(Patience);

        stopping.IsCompleted.Should().BeFalse("the host waits for the drain, and the drain for the admitted request");
        capture.Lines.Should().NotContain(l => l.Message.StartsWith("Shutdown drain", StringComparison.Ordinal));
        _timeline.Mark("slow released");
        _releaseSlow.SetResult();
        (await slow.WaitAsync(Patience)).Should().Be("done", "a request that got in finishes with its answer");
        await stopping.WaitAsync(Patience);
        _timeline.Mark("host stopped");

        output.WriteLine($"sent {sent}, completed {completed}, refused {refused}, malformed {malformed}, failed {failed}");
        failed.Should().Be(0, "no request may be reset or aborted (first: {0})", firstOther);
        malformed.Should().Be(0, "every answer is the handler's 200 or the 503 problem+json (first other: {0})", firstOther);
        (completed + refused).Should().Be(sent, "nothing is lost");
        refused.Should().BeGreaterThanOrEqualTo(Clients);
        Interlocked.Read(ref _refusedWhileReady).Should().Be(0, "readiness flips unhealthy before the gate refuses anything");
        var stats = server.Gates.Http.GetStats();
        stats.Served.Should().Be(completed + 1, "every admitted request (the slow one too) was served, once");
        stats.Refused.Should().Be(refused);
        stats.InFlight.Should().Be(0);

        var drain = ShutdownDrainOf(capture, "http");
        drain.Fields["Outcome"].Should().Be(DrainOutcome.Drained);
        drain.Fields["InFlight"].Should().Be(0L);
        ((TimeSpan)drain.Fields["Duration"]!).Should().BeLessThan(TimeSpan.FromSeconds(20), "the drain finished, it did not run into its deadline");
        var finished = ShutdownDrainFinished(capture);
        finished.Fields["Succeeded"].Should().Be(true);
        capture.Lines.Should().NotContain(l => l.Message.Contains("timed out", StringComparison.OrdinalIgnoreCase),
            "no CoordinatedShutdown phase and no drain ran into a timeout");

        // Stop asked → readiness unhealthy → first refusal → the held request released → drain report → host stopped.
        Order("stop requested").Should().BeLessThan(Order("first refusal"));
        Order("first refusal").Should().BeLessThan(Order("slow released"));
        Order("slow released").Should().BeLessThan(drain.Order, "the drain ends when the last admitted request ends");
        finished.Order.Should().BeLessThan(Order("host stopped"));
    }

    [Fact]
    public async Task Must_report_the_requests_still_running_at_the_shutdown_drain_deadline()
    {
        var capture = new LogCapture(_timeline);
        await using var server = await StartAsync(capture, shutdownDrainTimeout: TimeSpan.FromSeconds(2));
        using var client = server.CreateHttp1Client();
        var slow = client.GetAsync("/slow");
        await _slowStarted.Task.WaitAsync(Patience);

        var stopping = server.StopAsync(within: TimeSpan.FromSeconds(60));

        var drain = await capture.WaitForAsync(l => l.Message.StartsWith("Shutdown drain of", StringComparison.Ordinal)).WaitAsync(Patience);
        drain.Fields["Resource"].Should().Be("http");
        drain.Fields["Outcome"].Should().Be(DrainOutcome.TimedOut);
        drain.Fields["InFlight"].Should().Be(1L, "the request still running at the deadline is counted");
        var finished = await capture.WaitForAsync(l => l.Message.StartsWith("Shutdown drain finished", StringComparison.Ordinal)).WaitAsync(Patience);
        finished.Fields["Succeeded"].Should().Be(false);
        slow.IsCompleted.Should().BeFalse();
        server.Gates.Http.IsClosed.Should().BeTrue("a timed-out drain still refuses new work");

        _releaseSlow.SetResult();
        var response = await slow.WaitAsync(Patience);
        response.StatusCode.Should().Be(HttpStatusCode.OK, "even past the drain deadline the request that got in is answered");
        (await response.Content.ReadAsStringAsync()).Should().Be("done");
        await stopping.WaitAsync(Patience);
    }

    [Fact]
    public async Task Must_drain_once_when_the_actor_system_shuts_down_on_its_own_and_again_not_when_the_host_stops()
    {
        var capture = new LogCapture(_timeline);
        var server = await StartAsync(capture, shutdownDrainTimeout: TimeSpan.FromSeconds(20));
        await using (server)
        {
            using var client = server.CreateHttp1Client();
            var slow = client.GetStringAsync("/slow");
            await _slowStarted.Task.WaitAsync(Patience);

            var shutdown = CoordinatedShutdown.Get(server.Services.GetRequiredService<ActorSystem>()).Run(CoordinatedShutdown.ClrExitReason.Instance);

            (await Eventually.HoldsAsync(() => server.Gates.Http.IsClosed, Patience)).Should().BeTrue("CoordinatedShutdown's task drains");
            var refused = await client.GetAsync("/work/1");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            IsWellFormedRefusal(refused, await refused.Content.ReadAsStringAsync()).Should().BeTrue();
            shutdown.IsCompleted.Should().BeFalse("the drain waits for the admitted request");
            _releaseSlow.SetResult();
            (await slow.WaitAsync(Patience)).Should().Be("done");
            await shutdown.WaitAsync(Patience);
            (await capture.WaitForAsync(l => l.Message.StartsWith("Shutdown drain of", StringComparison.Ordinal)).WaitAsync(Patience))
                .Fields["Outcome"].Should().Be(DrainOutcome.Drained);
        }

        ShutdownDrainOf(capture, "http");
        ShutdownDrainFinished(capture).Fields["Succeeded"].Should().Be(true);
    }

    private Task<GatedServer> StartAsync(LogCapture capture, TimeSpan shutdownDrainTimeout) => GatedServer.StartAsync(
        services =>
        {
            services.AddSingleton<ILoggerProvider>(capture);
            services.AddMaintenance(m => m
                .Configure(o => o.ShutdownDrainTimeout = shutdownDrainTimeout)
                .AddHttpDrain());
        },
        app =>
        {
            var checks = app.Services.GetRequiredService<HealthCheckService>();
            // In front of the gate: was readiness still healthy when a request came in that the gate then refused?
            app.Use(async (context, next) =>
            {
                bool ready = context.Request.Path.StartsWithSegments("/work")
                    && (await checks.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status == HealthStatus.Healthy;
                await next(context);
                if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable && context.Request.Path.StartsWithSegments("/work"))
                {
                    if (Interlocked.Increment(ref _refusalsSeenByServer) == 1)
                    {
                        _timeline.Mark("first refusal");
                    }

                    if (ready)
                    {
                        Interlocked.Increment(ref _refusedWhileReady);
                    }
                }
            });
            app.UseMaintenance();
            app.MapGet("/work/{i:int}", async (int i) =>
            {
                if (i % 8 == 0)
                {
                    await Task.Yield();
                }

                return Results.Text("ok");
            });
            app.MapGet("/slow", async () =>
            {
                _slowStarted.TrySetResult();
                await _releaseSlow.Task;
                return "done";
            });
            app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        });

    private long Order(string mark) => _timeline.Marks.Single(m => m.Mark == mark).Order;

    private static CapturedLog ShutdownDrainOf(LogCapture capture, string resource) => capture.Lines.Should()
        .ContainSingle(l => l.Message.StartsWith("Shutdown drain of", StringComparison.Ordinal) && Equals(l.Fields["Resource"], resource),
            "the drain report is logged once").Subject;

    private static CapturedLog ShutdownDrainFinished(LogCapture capture) => capture.Lines.Should()
        .ContainSingle(l => l.Message.StartsWith("Shutdown drain finished", StringComparison.Ordinal), "the drain report is logged once").Subject;

    private static bool IsWellFormedRefusal(HttpResponseMessage response, string body)
    {
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable
            || response.Content.Headers.ContentType?.MediaType != MaintenanceRefusal.ProblemContentType)
        {
            return false;
        }

        var problem = JsonDocument.Parse(body).RootElement;
        return problem.GetProperty("status").GetInt32() == 503
            && problem.GetProperty("detail").GetString()!.StartsWith("The service is in maintenance", StringComparison.Ordinal);
    }
}
