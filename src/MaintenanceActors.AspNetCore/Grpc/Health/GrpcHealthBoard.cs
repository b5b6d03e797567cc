using System.Collections.Frozen;
using MaintenanceActors.AspNetCore.Grpc.Health.V1;

namespace MaintenanceActors.AspNetCore.Grpc.Health;

/// <summary>
/// The serving status the grpc.health.v1 service reports: SERVING or NOT_SERVING for "" and each
/// configured service, unknown for any other name. Watchers await <see cref="Changed"/>.
/// </summary>
internal sealed class GrpcHealthBoard
{
    private readonly FrozenSet<string> _services;
    private readonly Lock _sync = new();
    private volatile bool _serving = true;
    private volatile TaskCompletionSource _changed = NewSignal();

    public GrpcHealthBoard(IEnumerable<string> serviceNames)
    {
        _services = serviceNames.Append(string.Empty).ToFrozenSet(StringComparer.Ordinal);
    }

    public bool IsServing => _serving;

    /// <summary>Completes at the next status change; read it before reading the status to miss nothing.</summary>
    public Task Changed => _changed.Task;

    public IReadOnlyCollection<string> Services => _services;

    public void SetServing(bool serving)
    {
        lock (_sync)
        {
            if (_serving == serving)
            {
                return;
            }

            _serving = serving;
            var previous = _changed;
            _changed = NewSignal();
            previous.TrySetResult();
        }
    }

    /// <summary>The status of a service, or null when the name is not known.</summary>
    public HealthCheckResponse.Types.ServingStatus? StatusOf(string service) =>
        !_services.Contains(service) ? null
        : _serving ? HealthCheckResponse.Types.ServingStatus.Serving
        : HealthCheckResponse.Types.ServingStatus.NotServing;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
