using Akka;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Runs the maintenance drain as a CoordinatedShutdown task, so stopping the host drains exactly like maintenance.</summary>
internal static class MaintenanceShutdown
{
    /// <summary>The task's name in CoordinatedShutdown's <c>before-service-unbind</c> phase.</summary>
    public const string TaskName = "maintenance-drain";

    /// <summary>
    /// The phase's timeout unless the application configures one: longer than the default
    /// <see cref="MaintenanceOptions.ShutdownDrainTimeout"/> plus the reply grace, shorter than the host's 30 s shutdown timeout.
    /// </summary>
    public static readonly TimeSpan DefaultPhaseTimeout = TimeSpan.FromSeconds(25);

    public static Config PhaseConfig(TimeSpan timeout) => ConfigurationFactory.ParseString(
        $"akka.coordinated-shutdown.phases.{CoordinatedShutdown.PhaseBeforeServiceUnbind}.timeout = {(long)timeout.TotalMilliseconds}ms");

    public static void Register(ActorSystem system, MaintenanceCoordinator coordinator)
    {
        var log = system.LoggerFor(typeof(MaintenanceShutdown));
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, TaskName, async () =>
        {
            var report = await coordinator.DrainForShutdownAsync().ConfigureAwait(false);
            if (report is null)
            {
                log.LogWarning("Shutdown drain: no report (the coordinator was stopped or did not answer in time)");
                return Done.Instance;
            }
            foreach (var drain in report.Drains)
            {
                log.LogInformation("Shutdown drain of {Resource}: {Outcome} in {Duration}, {InFlight} still in flight",
                    drain.Resource, drain.Outcome, drain.Duration, drain.InFlightAtDeadline);
            }
            log.LogInformation("Shutdown drain finished in {Duration} (clean: {Succeeded})", report.Duration, report.Succeeded);
            return Done.Instance;
        });
    }
}
