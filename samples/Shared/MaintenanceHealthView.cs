using MaintenanceActors;

namespace Samples;

/// <summary>
/// What the samples' <c>GET /health</c> answers: the maintenance phase in words (serving, draining, drained, or
/// timed out with what was still in flight), the reasons, each source's connection (so a wrong etcd address is
/// visible, not just logged), each resource's health, and the last transition's drain report.
/// </summary>
internal static class MaintenanceHealthView
{
    public static async Task<object> ReadAsync(IMaintenance maintenance, CancellationToken cancellationToken)
    {
        var status = await maintenance.GetStatusAsync(cancellationToken);
        var health = await maintenance.GetHealthAsync(cancellationToken);
        var timedOut = status.LastTransition is { Enabled: true } last ? last.Drains.Where(d => d.Outcome == DrainOutcome.TimedOut).ToArray() : [];
        var phase = !status.InMaintenance ? (status.TransitionInProgress ? "resuming" : "serving")
            : status.TransitionInProgress || !status.AppliedEnabled ? "draining"
            : timedOut.Length > 0 ? "timed out"
            : "drained";
        return new
        {
            status = phase,
            inMaintenance = status.InMaintenance,
            inFlightAtDeadline = timedOut.Sum(d => d.InFlightAtDeadline),
            reasons = status.Reasons,
            overall = health.Overall.ToString(),
            sources = health.Sources.Values.Select(s => new
            {
                name = s.Source,
                status = s.Status.ToString(),
                state = s.Connected ? "connected" : "reconnecting",
                reconnectingSince = s.ReconnectingSince,
                lastError = s.LastError,
                lastRevision = s.LastRevision,
                warnings = s.Warnings,
            }),
            resources = health.Resources.Values.Select(r => new { name = r.Resource, status = r.Status.ToString(), detail = r.Detail }),
            lastTransition = status.LastTransition is { } t
                ? new
                {
                    t.Epoch,
                    t.Enabled,
                    t.Succeeded,
                    durationMs = t.Duration.TotalMilliseconds,
                    drains = t.Drains.Select(d => new { d.Resource, outcome = d.Outcome.ToString(), d.InFlightAtDeadline }),
                }
                : null,
        };
    }
}

/// <summary>Writes a health-check report as JSON (status, and each check's description and data), for <c>/health/ready</c>.</summary>
internal static class HealthReportJson
{
    public static Task WriteAsync(Microsoft.AspNetCore.Http.HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        }, cancellationToken: context.RequestAborted);
    }
}

/// <summary>The endpoints every HTTP sample serves about maintenance: <c>/health</c>, <c>/health/ready</c> and <c>/stats</c>.</summary>
internal static class MaintenanceEndpoints
{
    public static void MapMaintenanceEndpoints(this Microsoft.AspNetCore.Builder.WebApplication app)
    {
        // /health is skipped by the gate (default skip prefix), so it answers during maintenance too.
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(app, "/health",
            async (IMaintenance maintenance, CancellationToken cancellationToken) =>
                Microsoft.AspNetCore.Http.Results.Json(await MaintenanceHealthView.ReadAsync(maintenance, cancellationToken)));

        // Readiness for load balancers: unhealthy from the moment maintenance is entered, before anything is refused; Degraded
        // (200) when a maintenance source has been away too long or holds a malformed value (see "checks" in the body).
        Microsoft.AspNetCore.Builder.HealthCheckEndpointRouteBuilderExtensions.MapHealthChecks(app, "/health/ready",
            new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains("ready"),
                ResponseWriter = HealthReportJson.WriteAsync,
            });

        // Every resource's counters (the HTTP gate's requests, a database gate and Npgsql's pool, ...), asked by message.
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(app, "/stats",
            async (Akka.Hosting.IRequiredActor<MaintenanceSupervisor> supervisor, CancellationToken cancellationToken) =>
            {
                var report = await Akka.Actor.Futures.Ask<ResourceStatsReport>(supervisor.ActorRef, GetResourceStats.Instance, TimeSpan.FromSeconds(5), cancellationToken);
                return Microsoft.AspNetCore.Http.Results.Json(report.Resources.Select(r => new
                {
                    resource = r.Resource,
                    state = r.State.ToString(),
                    in_flight = r.InFlight,
                    last_drain = r.LastDrainOutcome?.ToString(),
                    last_drain_ms = r.LastDrainDuration?.TotalMilliseconds,
                    counters = r.Counters,
                }));
            });
    }
}
