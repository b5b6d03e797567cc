namespace MaintenanceActors.Grpc;

/// <summary>A gRPC call ended with a non-OK status (from the peer, or decided locally: transport failure, deadline, bad frame).</summary>
public sealed class GrpcCallException : Exception
{
    public GrpcCallException(GrpcStatusCode statusCode, string detail, Exception? innerException = null)
        : base($"gRPC status {statusCode} ({(int)statusCode}): {detail}", innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The gRPC status code.</summary>
    public GrpcStatusCode StatusCode { get; }

    /// <summary>The status message (the peer's percent-decoded <c>grpc-message</c>, or a local explanation).</summary>
    public string Detail { get; }

    /// <summary>
    /// True when the call failed below gRPC (connect, TLS, connection reset) rather than by a status the peer sent;
    /// such a call may be retried on another endpoint.
    /// </summary>
    internal bool IsTransportFailure { get; init; }

    /// <summary>True when the transport failed before the request could reach the peer (connect, TLS, refused stream), so even a write may be retried.</summary>
    internal bool RequestNotSent { get; init; }
}
