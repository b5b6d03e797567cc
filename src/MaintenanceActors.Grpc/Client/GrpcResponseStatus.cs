using System.Net;
using System.Net.Http.Headers;

namespace MaintenanceActors.Grpc;

/// <summary>Reads the gRPC status of a response from its headers (trailers-only responses) or its trailers.</summary>
internal static class GrpcResponseStatus
{
    /// <summary>
    /// Validates response headers. Returns the status when the response is trailers-only (status already in the headers),
    /// null when messages and trailers follow.
    /// </summary>
    public static GrpcCallException? CheckHeaders(HttpResponseMessage response, out bool trailersOnly)
    {
        trailersOnly = false;
        if (TryRead(response.Headers, out var headerStatus))
        {
            trailersOnly = true;
            return headerStatus;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new GrpcCallException(FromHttpStatus(response.StatusCode),
                $"The server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} without a gRPC status");
        }
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (contentType is null || !contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
            return new GrpcCallException(GrpcStatusCode.Internal, $"The server answered with content type '{contentType}', not {GrpcProtocol.ContentType}");
        return null;
    }

    /// <summary>Reads the status from the trailers once the body has been read to its end; null means OK.</summary>
    public static GrpcCallException? FromTrailers(HttpResponseMessage response)
    {
        if (TryRead(response.TrailingHeaders, out var status))
            return status;
        return new GrpcCallException(GrpcStatusCode.Internal, "The response ended without a grpc-status trailer");
    }

    private static bool TryRead(HttpHeaders headers, out GrpcCallException? status)
    {
        status = null;
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
            return false;
        var raw = values.FirstOrDefault();
        if (!int.TryParse(raw, out var code))
        {
            status = new GrpcCallException(GrpcStatusCode.Unknown, $"Unparsable grpc-status '{raw}'");
            return true;
        }
        if (code == 0)
            return true;
        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var messages)
            ? GrpcStatusMessage.Decode(messages.FirstOrDefault() ?? "")
            : "";
        status = new GrpcCallException((GrpcStatusCode)code, message);
        return true;
    }

    private static GrpcStatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => GrpcStatusCode.Internal,
        HttpStatusCode.Unauthorized => GrpcStatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => GrpcStatusCode.PermissionDenied,
        HttpStatusCode.NotFound => GrpcStatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };
}
