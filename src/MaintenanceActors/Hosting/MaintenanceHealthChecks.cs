using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MaintenanceActors;

/// <summary>
/// Readiness (tag "ready"): unhealthy while the service is in maintenance, from the moment a source asks for it. A
/// source that has been away longer than <see cref="MaintenanceOptions.SourceOutageThreshold"/> makes it Degraded (or
/// unhealthy, per <see cref="MaintenanceOptions.SourceOutageReadiness"/>), and a source holding a malformed value makes it
/// Degraded: failing open is visible. Each source's connection is in the data.
/// </summary>
internal sealed class MaintenanceReadinessCheck(MaintenanceCoordinator coordinator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var sources = coordinator.SourceHealth;
        var now = coordinator.Clock.GetUtcNow();
        var options = coordinator.Options;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var away = new List<string>();
        var degraded = new List<string>();
        foreach (var (name, health) in sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            data[$"source:{name}"] = Describe(health);
            if (!health.Connected && health.ReconnectingSince is { } since && now - since >= options.SourceOutageThreshold)
            {
                away.Add($"{name} away since {since:O} ({health.LastError ?? "never connected"})");
            }
            else if (health.Status == ComponentHealth.Degraded)
            {
                degraded.Add($"{name}: {health.Warnings.LastOrDefault() ?? "degraded"}");
            }
        }
        if (coordinator.IsInMaintenance)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("in maintenance", data: data));
        }
        if (away.Count > 0)
        {
            var description = $"taking work on the last known state; maintenance source {string.Join("; ", away)}";
            return Task.FromResult(options.SourceOutageReadiness == SourceOutagePolicy.NotReady
                ? HealthCheckResult.Unhealthy(description, data: data)
                : HealthCheckResult.Degraded(description, data: data));
        }
        if (degraded.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"taking work; {string.Join("; ", degraded)}", data: data));
        }
        return Task.FromResult(HealthCheckResult.Healthy("taking work", data));
    }

    private static string Describe(SourceHealth health) =>
        health.Connected
            ? health.Status == ComponentHealth.Degraded ? $"connected, degraded: {health.Warnings.LastOrDefault()}" : "connected"
            : $"reconnecting since {health.ReconnectingSince:O}: {health.LastError ?? "not connected yet"}";
}

/// <summary>Liveness (tag "live"): healthy unless the coordinator does not answer; sources and resources are listed in the data.</summary>
internal sealed class MaintenanceLivenessCheck(MaintenanceCoordinator coordinator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!coordinator.IsStarted)
        {
            return HealthCheckResult.Healthy("maintenance coordinator not started");
        }
        try
        {
            var report = await coordinator.GetHealthAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (name, health) in report.Sources)
            {
                data[$"source:{name}"] = health.Connected ? "connected" : $"disconnected: {health.LastError ?? "not connected yet"}";
            }
            foreach (var (name, health) in report.Resources)
            {
                data[$"resource:{name}"] = $"{health.Status}: {health.Detail}";
            }
            return HealthCheckResult.Healthy("maintenance coordinator answering", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("maintenance coordinator does not answer", ex);
        }
    }
}
