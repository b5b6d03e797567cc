namespace MaintenanceActors.AspNetCore.Gate;

/// <summary>The two gates of a service: plain HTTP requests and gRPC calls, drained by separate resources.</summary>
internal sealed class RequestGates(TimeProvider timeProvider)
{
    public RequestGate Http { get; } = new("http", timeProvider);

    public RequestGate Grpc { get; } = new("grpc", timeProvider);
}
