namespace MaintenanceActors.Grpc;

/// <summary>Per-call settings: metadata sent as request headers and an optional absolute deadline.</summary>
internal sealed record GrpcCallOptions(IReadOnlyList<KeyValuePair<string, string>>? Metadata = null, DateTimeOffset? Deadline = null)
{
    public static GrpcCallOptions Default { get; } = new();
}
