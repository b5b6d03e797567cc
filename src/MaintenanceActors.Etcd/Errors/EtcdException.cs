using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd;

/// <summary>An etcd call failed; carries the gRPC status code and etcd's own message (e.g. "etcdserver: permission denied").</summary>
public class EtcdException : Exception
{
    public EtcdException(GrpcStatusCode statusCode, string detail, Exception? innerException = null)
        : this(statusCode, detail, $"{detail} (gRPC status {statusCode})", innerException)
    {
    }

    protected EtcdException(GrpcStatusCode statusCode, string detail, string message, Exception? innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The gRPC status code of the failure.</summary>
    public GrpcStatusCode StatusCode { get; }

    /// <summary>etcd's message, or the client's explanation for failures that never reached etcd.</summary>
    public string Detail { get; }

    internal static EtcdException From(GrpcCallException ex) => new(ex.StatusCode, ex.Detail, ex);
}
