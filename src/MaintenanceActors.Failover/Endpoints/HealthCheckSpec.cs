namespace MaintenanceActors.Failover;

/// <summary>How an endpoint's health is checked: kind, request shape and timing.</summary>
public sealed record HealthCheckSpec(HealthCheckKind Kind)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>HTTP path (default <c>/health</c>).</summary>
    public string Path { get; init; } = "/health";

    /// <summary>HTTP method (default GET).</summary>
    public string Method { get; init; } = "GET";

    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>HTTP request body (sent as UTF-8 text when not null).</summary>
    public string? Body { get; init; }

    /// <summary>The HTTP status that means healthy; null: any 2xx.</summary>
    public int? ExpectedStatus { get; init; }

    /// <summary>Time between checks (default 10 s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time a check may take before it counts as failed (default 2 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A passing check slower than this reports <see cref="EndpointHealth.Degraded"/>; null: never degraded by time.</summary>
    public TimeSpan? DegradedAfter { get; init; }

    /// <summary>The service name asked by a gRPC check (<c>grpc.health.v1</c>); empty: the whole server.</summary>
    public string GrpcService { get; init; } = "";

    internal string? Validate(string id)
    {
        if (Interval <= TimeSpan.Zero) return $"endpoint {id}: HealthCheck.Interval must be positive";
        if (Timeout <= TimeSpan.Zero) return $"endpoint {id}: HealthCheck.Timeout must be positive";
        if (Kind == HealthCheckKind.Http && !Path.StartsWith('/')) return $"endpoint {id}: HealthCheck.Path must start with / (was '{Path}')";
        if (ExpectedStatus is < 100 or > 599) return $"endpoint {id}: HealthCheck.ExpectedStatus must be an HTTP status (was {ExpectedStatus})";
        return null;
    }
}

/// <summary>The kind of health check.</summary>
public enum HealthCheckKind
{
    Http,
    Grpc,
    Tcp,
}

/// <summary>What the last health check said about an endpoint.</summary>
public enum EndpointHealth
{
    Unknown,
    Healthy,
    Degraded,
    Unhealthy,
}

/// <summary>The state of an endpoint's circuit breaker.</summary>
public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
