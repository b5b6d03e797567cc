using System.Collections.Concurrent;
using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Hosting;

/// <summary>Shutdown is a drain: CoordinatedShutdown's before-service-unbind task enters maintenance for good, in parallel, under its own deadline.</summary>
public sealed class MaintenanceShutdownSpec : MaintenanceTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(3);
    private readonly CapturingLoggerFactory _logs;

    public MaintenanceShutdownSpec(ITestOutputHelper output)
        : base(output, MaintenanceShutdown.PhaseConfig(TimeSpan.FromSeconds(15)))
    {
        _logs = new CapturingLoggerFactory(output);
        MaintenanceRuntime.For(Sys).UseLoggerFactory(_logs);
    }

    private MaintenanceCoordinator Coordinator(params (TestResourceControl Control, TimeSpan? DrainTimeout)[] resources)
    {
        var coordinator = new MaintenanceCoordinator(Sys, new MaintenanceOptions
        {
            ShutdownDrainTimeout = Cap,
            // Generous: the shutdown Ask waits ShutdownDrainTimeout + 2 × ReplyGrace of real time on a shared, loaded machine.
            ReplyGrace = TimeSpan.FromSeconds(5),
            RestartMinBackoff = TimeSpan.FromMilliseconds(10),
            RestartMaxBackoff = TimeSpan.FromMilliseconds(50),
        });
        foreach (var (control, drainTimeout) in resources)
        {
            coordinator.RegisterResource(TestResource.Registration(control, drainTimeout));
        }
        return coordinator;
    }

    private Task Started(params TestResourceControl[] controls) =>
        // Each resource told the supervisor it started and was told the current state (running) back.
        AwaitConditionAsync(() => controls.All(c => c.Steps.Contains("resumed:0:no info:intake open")), Wait, "the resources started");

    [Fact]
    public async Task Must_drain_every_resource_in_parallel_under_the_shutdown_deadline_when_CoordinatedShutdown_runs()
    {
        var fast1 = new TestResourceControl("fast1") { InFlight = 1 };
        var fast2 = new TestResourceControl("fast2") { InFlight = 1 };
        var stuck = new TestResourceControl("stuck") { InFlight = 4 };
        // stuck's own deadline (60 s) is longer than the shutdown's: the shutdown deadline caps it.
        var coordinator = Coordinator((fast1, null), (fast2, null), (stuck, TimeSpan.FromSeconds(60)));
        var readinessAtStop = new ConcurrentQueue<(string Resource, bool InMaintenance)>();
        foreach (var control in new[] { fast1, fast2, stuck })
        {
            control.BeforeStopIntake = () => readinessAtStop.Enqueue((control.Name, coordinator.IsInMaintenance));
        }
        coordinator.Start();
        new MaintenanceShutdown(coordinator, Sys).Register();
        var transitions = CreateTestProbe();
        Sys.EventStream.Subscribe(transitions, typeof(MaintenanceTransitionCompleted));
        await Started(fast1, fast2, stuck);
        coordinator.IsInMaintenance.Should().BeFalse();

        var shutdown = CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);

        // All three wait for idle at the same time before any is released: the drains overlap.
        await Task.WhenAll(fast1.DrainStarted.Task, fast2.DrainStarted.Task, stuck.DrainStarted.Task).WaitAsync(Wait);
        fast1.ReleaseIdle();
        fast2.ReleaseIdle();
        readinessAtStop.Should().HaveCount(3).And.OnlyContain(r => r.InMaintenance, "readiness reports unhealthy before any intake stops");
        // While stuck holds the drain open: a source saying "off" (after saying "on") cannot end a shutdown.
        Sys.EventStream.Publish(new MaintenanceStateChanged("etcd", "/maintenance/svc", true, new MaintenanceInfo("planned"), 1, Sys.Scheduler.Now));
        Sys.EventStream.Publish(new MaintenanceStateChanged("etcd", "/maintenance/svc", false, null, 2, Sys.Scheduler.Now));
        await coordinator.SetMaintenanceModeAsync(false);
        var status = await coordinator.GetStatusAsync();
        status.InMaintenance.Should().BeTrue();
        status.Votes.Should().ContainSingle(v => v.Enabled).Which.Source.Should().Be(MaintenanceSupervisor.ShutdownSource);

        await shutdown.WaitAsync(Wait);
        var report = await transitions.ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        report.Should().BeEquivalentTo(new { Epoch = 1L, Enabled = true, Superseded = false });
        report.Drains.Select(d => (d.Resource, d.Outcome)).Should().BeEquivalentTo(new[]
        {
            ("fast1", DrainOutcome.Drained), ("fast2", DrainOutcome.Drained), ("stuck", DrainOutcome.TimedOut),
        });
        var timedOut = report.Drains.Single(d => d.Resource == "stuck");
        timedOut.InFlightAtDeadline.Should().Be(4);
        // The deadline is absolute (sent as "now + cap"): the transition lasts about the cap, not the resource's own 60 s.
        report.Duration.Should().BeGreaterThanOrEqualTo(Cap - TimeSpan.FromMilliseconds(100)).And.BeLessThan(TimeSpan.FromSeconds(10));
        timedOut.Duration.Should().BeLessThanOrEqualTo(report.Duration);
        await transitions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        new[] { fast1, fast2, stuck }.Should().OnlyContain(c => !c.IntakeOpen && !c.Steps.Any(s => s.StartsWith("resumed:") && s != "resumed:0:no info:intake open"),
            "nothing resumed after the shutdown drain");
        await Sys.WhenTerminated.WaitAsync(Wait); // CoordinatedShutdown went on to terminate the system
        _logs.Lines.Should().Contain("Shutdown drain of stuck: TimedOut in " + timedOut.Duration + ", 4 still in flight")
            .And.Contain(line => line.StartsWith("Shutdown drain finished in ") && line.EndsWith("(clean: False)"));
    }

    [Fact]
    public async Task Must_flip_readiness_first_and_return_the_drain_report_from_DrainForShutdownAsync()
    {
        var quick = new TestResourceControl("quick") { IdleAtOnce = true };
        var stuck = new TestResourceControl("stuck") { InFlight = 2 };
        var coordinator = Coordinator((quick, null), (stuck, null));
        coordinator.Start();
        await Started(quick, stuck);

        var drain = coordinator.DrainForShutdownAsync();
        coordinator.IsInMaintenance.Should().BeTrue("readiness flips before the supervisor has even taken the request");
        var report = (await drain.WaitAsync(Wait))!;

        report.Should().NotBeNull();
        report.Should().BeEquivalentTo(new { Epoch = 1L, Enabled = true, Superseded = false, Succeeded = false });
        report.Drains.Single(d => d.Resource == "quick").Outcome.Should().Be(DrainOutcome.Drained);
        report.Drains.Single(d => d.Resource == "stuck").Should().BeEquivalentTo(new { Outcome = DrainOutcome.TimedOut, InFlightAtDeadline = 2L });
        report.Drains.Single(d => d.Resource == "stuck").Duration.Should().BeLessThan(TimeSpan.FromSeconds(10), "capped by ShutdownDrainTimeout, not the 30 s default");
        (await coordinator.DrainForShutdownAsync().WaitAsync(Wait)).Should().BeSameAs(report, "a second call answers with the drain already done");
        await coordinator.StopAsync();
        (await coordinator.DrainForShutdownAsync()).Should().BeNull("a stopped coordinator has nothing to drain");
    }

    /// <summary>Keeps every formatted log line (and writes it to the test output).</summary>
    private sealed class CapturingLoggerFactory(ITestOutputHelper output) : ILoggerFactory
    {
        private readonly XunitLoggerFactory _output = new(output);

        public ConcurrentQueue<string> Lines { get; } = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, _output.CreateLogger(categoryName));

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner, ILogger inner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                owner.Lines.Enqueue(formatter(state, exception));
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
