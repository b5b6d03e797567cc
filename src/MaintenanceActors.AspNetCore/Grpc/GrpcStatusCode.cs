namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>The gRPC status codes this project sends (numbers from the gRPC spec).</summary>
internal enum GrpcStatusCode
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    NotFound = 5,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
}
