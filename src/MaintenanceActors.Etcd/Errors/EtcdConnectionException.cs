using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd;

/// <summary>No etcd endpoint could be reached, or a stream's connection was lost; lists the endpoints tried.</summary>
public sealed class EtcdConnectionException : EtcdException
{
    public EtcdConnectionException(IReadOnlyList<Uri> endpointsTried, string detail, Exception? innerException = null)
        : base(GrpcStatusCode.Unavailable, detail, detail, innerException)
    {
        EndpointsTried = endpointsTried;
    }

    /// <summary>The endpoints that were tried, in order.</summary>
    public IReadOnlyList<Uri> EndpointsTried { get; }
}
