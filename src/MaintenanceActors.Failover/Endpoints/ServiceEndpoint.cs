namespace MaintenanceActors.Failover;

/// <summary>One instance of a service that clients can call: where it is and how to choose and check it.</summary>
public sealed record ServiceEndpoint(string Id, string Name, string Address, int Port)
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary><c>http</c>, <c>https</c>, <c>grpc</c> or <c>tcp</c>.</summary>
    public string Protocol { get; init; } = "http";

    /// <summary>How the endpoint's health is checked; null: not checked (its health stays <see cref="EndpointHealth.Unknown"/>, which is selectable).</summary>
    public HealthCheckSpec? HealthCheck { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Relative share for weighted selection (≥ 0; 0 is chosen only when no weighted endpoint is left).</summary>
    public int Weight { get; init; } = 1;

    public int Priority { get; init; }

    /// <summary>Region for geographic selection (matched case-insensitively).</summary>
    public string? Region { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The base address a client calls, e.g. <c>http://127.0.0.1:5080</c> (grpc maps to http, tcp to none).</summary>
    public Uri BaseUri => new($"{(Protocol == "https" ? "https" : "http")}://{Address}:{Port}");

    internal string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Id)) return "Id must not be empty";
        if (string.IsNullOrWhiteSpace(Name)) return $"endpoint {Id}: Name must not be empty";
        if (string.IsNullOrWhiteSpace(Address)) return $"endpoint {Id}: Address must not be empty";
        if (Port is < 1 or > 65535) return $"endpoint {Id}: Port must be between 1 and 65535 (was {Port})";
        if (Protocol is not ("http" or "https" or "grpc" or "tcp")) return $"endpoint {Id}: Protocol must be http, https, grpc or tcp (was '{Protocol}')";
        if (Weight < 0) return $"endpoint {Id}: Weight must be 0 or more (was {Weight})";
        return HealthCheck?.Validate(Id);
    }
}
