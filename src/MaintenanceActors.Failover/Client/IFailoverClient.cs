using Akka.Actor;

namespace MaintenanceActors.Failover;

/// <summary>The client's façade: run calls with failover, pick endpoints, and manage the registry without speaking in messages.</summary>
public interface IFailoverClient
{
    /// <summary>Calls <paramref name="fn"/> on a selected endpoint; on an exception or a result <see cref="FailoverRequest.IsFailure"/> rejects, retries on another endpoint.</summary>
    /// <remarks>Never throws for failover errors (they are in <see cref="FailoverResult{T}.Error"/>); throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled.</remarks>
    Task<FailoverResult<T>> ExecuteWithFailoverAsync<T>(FailoverRequest request, Func<ServiceEndpoint, CancellationToken, Task<T>> fn, CancellationToken ct = default);

    /// <summary>Picks one selectable endpoint; throws <see cref="FailoverNotFoundException"/> when there is none.</summary>
    Task<ServiceEndpoint> SelectEndpointAsync(FailoverRequest request, CancellationToken ct = default);

    /// <summary>Picks one selectable endpoint without waiting (what <see cref="SelectEndpointAsync"/> does, synchronously).</summary>
    bool TrySelectEndpoint(FailoverRequest request, out ServiceEndpoint? endpoint);

    /// <summary>Records the outcome of a call made to <paramref name="endpoint"/> outside <see cref="ExecuteWithFailoverAsync{T}"/> (feeds its circuit breaker and counters).</summary>
    void ReportOutcome(ServiceEndpoint endpoint, bool success);

    Task<FailoverStats> GetStatsAsync(CancellationToken ct = default);

    Task<IReadOnlyList<FailoverEvent>> GetEventsAsync(int limit = 100, CancellationToken ct = default);

    Task<EndpointHealthReport> HealthCheckAsync(string id, CancellationToken ct = default);

    Task<IReadOnlyList<EndpointHealthReport>> HealthCheckAllAsync(CancellationToken ct = default);

    Task ConfigureAsync(FailoverOptions options, CancellationToken ct = default);

    Task<FailoverOptions> GetConfigAsync(CancellationToken ct = default);

    Task RegisterAsync(ServiceEndpoint endpoint, string source = "static", CancellationToken ct = default);

    Task UpdateAsync(ServiceEndpoint endpoint, string source = "static", CancellationToken ct = default);

    Task<bool> DeregisterAsync(string id, string source = "static", CancellationToken ct = default);

    Task<EndpointSnapshot?> GetEndpointAsync(string id, CancellationToken ct = default);

    Task<IReadOnlyList<EndpointSnapshot>> ListEndpointsAsync(string? name = null, CancellationToken ct = default);

    /// <summary>The registry actor (providers and apps may tell it the registry messages directly).</summary>
    IActorRef Registry { get; }
}
