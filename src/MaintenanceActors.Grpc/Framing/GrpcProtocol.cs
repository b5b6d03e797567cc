namespace MaintenanceActors.Grpc;

/// <summary>Well-known names of the gRPC-over-HTTP/2 protocol, shared by the client and server-side code.</summary>
public static class GrpcProtocol
{
    /// <summary>The content type of a gRPC request or response with protobuf messages.</summary>
    public const string ContentType = "application/grpc";

    /// <summary>Header/trailer carrying the numeric status.</summary>
    public const string StatusHeader = "grpc-status";

    /// <summary>Header/trailer carrying the percent-encoded status message.</summary>
    public const string MessageHeader = "grpc-message";

    /// <summary>Request header carrying the deadline as a relative timeout.</summary>
    public const string TimeoutHeader = "grpc-timeout";

    /// <summary>Header naming the compression of messages; this layer only speaks <c>identity</c>.</summary>
    public const string EncodingHeader = "grpc-encoding";

    /// <summary>Header listing the compressions a peer accepts.</summary>
    public const string AcceptEncodingHeader = "grpc-accept-encoding";

    /// <summary>The default largest message accepted (4 MiB, like the reference implementations).</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;
}
