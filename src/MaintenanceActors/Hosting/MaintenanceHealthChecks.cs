using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MaintenanceActors;

/// <summary>Readiness (tag "ready"): unhealthy while the service is in maintenance, from the moment a source asks for it.</summary>
internal sealed class MaintenanceReadinessCheck(MaintenanceCoordinator coordinator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(coordinator.IsInMaintenance
            ? HealthCheckResult.Unhealthy("in maintenance")
            : HealthCheckResult.Healthy("taking work"));
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
