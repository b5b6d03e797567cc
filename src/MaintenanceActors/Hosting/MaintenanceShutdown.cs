using Akka;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>
/// Runs the maintenance drain once when the service stops, so stopping drains exactly like maintenance: readiness
/// flips, the gates refuse new work while admitted work finishes, and the report is logged.
/// </summary>
/// <remarks>
/// Two things may ask for it and both wait for the same single drain. A host stop asks first, from
/// <see cref="Microsoft.Extensions.Hosting.IHostedLifecycleService.StoppingAsync"/>, which the host runs before it stops
/// any hosted service: the web server (which a <c>WebApplication</c> stops first) is still serving, so requests that got
/// in finish and new ones get the maintenance refusal instead of a refused connection. Akka's CoordinatedShutdown
/// asks in phase <c>before-service-unbind</c>; that is the drain when the actor system shuts down on its own, and an
/// instant no-op after a host stop already drained.
/// </remarks>
internal sealed class MaintenanceShutdown(MaintenanceCoordinator coordinator, ActorSystem system)
{
    /// <summary>The task's name in CoordinatedShutdown's <c>before-service-unbind</c> phase.</summary>
    public const string TaskName = "maintenance-drain";

    /// <summary>
    /// The phase's timeout unless the application configures one: longer than the default
    /// <see cref="MaintenanceOptions.ShutdownDrainTimeout"/> plus the reply grace, shorter than the host's 30 s shutdown timeout.
    /// </summary>
    public static readonly TimeSpan DefaultPhaseTimeout = TimeSpan.FromSeconds(25);

    private readonly Lock _sync = new();
    private Task? _drain;

    public static Config PhaseConfig(TimeSpan timeout) => ConfigurationFactory.ParseString(
        $"akka.coordinated-shutdown.phases.{CoordinatedShutdown.PhaseBeforeServiceUnbind}.timeout = {(long)timeout.TotalMilliseconds}ms");

    /// <summary>Adds the drain to the system's CoordinatedShutdown (phase <c>before-service-unbind</c>).</summary>
    public void Register()
    {
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, TaskName, async () =>
        {
            await DrainOnceAsync().ConfigureAwait(false);
            return Done.Instance;
        });
    }

    /// <summary>Starts the drain on the first call; every call completes when that one drain was reported.</summary>
    public Task DrainOnceAsync()
    {
        lock (_sync)
        {
            return _drain ??= Task.Run(DrainAndReportAsync);
        }
    }

    /// <summary>
    /// The host's side: waits for the drain until the host gives up (its shutdown timeout); then the host goes on
    /// stopping with a warning instead of an exception, and the drain keeps its own deadline.
    /// </summary>
    public async Task DrainForHostStopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DrainOnceAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            system.LoggerFor(typeof(MaintenanceShutdown)).LogWarning(
                "The host stopped waiting for the shutdown drain (its shutdown timeout passed); keep Maintenance:ShutdownDrainTimeout below HostOptions.ShutdownTimeout");
        }
    }

    private async Task DrainAndReportAsync()
    {
        if (!coordinator.IsStarted)
        {
            return;
        }
        var log = system.LoggerFor(typeof(MaintenanceShutdown));
        MaintenanceTransitionCompleted? report;
        try
        {
            report = await coordinator.DrainForShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Shutdown drain failed; stopping without it");
            return;
        }
        if (report is null)
        {
            log.LogWarning("Shutdown drain: no report (the coordinator was stopped or did not answer in time)");
            return;
        }
        foreach (var drain in report.Drains)
        {
            log.LogInformation("Shutdown drain of {Resource}: {Outcome} in {Duration}, {InFlight} still in flight",
                drain.Resource, drain.Outcome, drain.Duration, drain.InFlightAtDeadline);
        }
        log.LogInformation("Shutdown drain finished in {Duration} (clean: {Succeeded})", report.Duration, report.Succeeded);
    }
}
