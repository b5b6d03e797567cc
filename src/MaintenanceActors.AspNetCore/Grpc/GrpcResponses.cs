using System.Globalization;
using Google.Protobuf;
using MaintenanceActors.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>Server-side gRPC-over-HTTP/2 helpers: recognising a call, reading its request, sending its status.</summary>
internal static class GrpcResponses
{
    /// <summary>application/grpc, application/grpc+proto, application/grpc;... (not grpc-web).</summary>
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == GrpcProtocol.ContentType.Length || contentType[GrpcProtocol.ContentType.Length] is '+' or ';');

    public static void StartResponse(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
    }

    /// <summary>Ends a call with nothing sent yet as a trailers-only response: one HEADERS frame carrying the status.</summary>
    public static void WriteTrailersOnly(HttpResponse response, GrpcStatusCode code, string? message)
    {
        StartResponse(response);
        response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(message))
        {
            response.Headers[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(message);
        }
    }

    /// <summary>Sets the call's status: in trailers once the response has started, else trailers-only. No-op if a status is already set.</summary>
    public static void SetStatus(HttpContext context, GrpcStatusCode code, string? message)
    {
        var response = context.Response;
        if (HasStatus(context))
        {
            return;
        }

        if (!response.HasStarted)
        {
            WriteTrailersOnly(response, code, message);
            return;
        }

        if (response.SupportsTrailers())
        {
            response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)code).ToString(CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(message))
            {
                response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcStatusMessage.Encode(message));
            }
        }
    }

    public static bool HasStatus(HttpContext context)
    {
        if (context.Response.Headers.ContainsKey(GrpcProtocol.StatusHeader))
        {
            return true;
        }

        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        return trailers is not null && trailers.ContainsKey(GrpcProtocol.StatusHeader);
    }

    /// <summary>
    /// Reads the single request message of a unary or server-streaming call. On a malformed or missing
    /// message it answers the call with the matching status and returns null; also null when the client left.
    /// </summary>
    public static async Task<T?> ReadRequestAsync<T>(HttpContext context, MessageParser<T> parser, int maxMessageSize = GrpcProtocol.DefaultMaxMessageSize)
        where T : class, IMessage<T>
    {
        try
        {
            var message = await GrpcFraming.ReadMessageAsync(context.Request.Body, parser, maxMessageSize, context.RequestAborted);
            if (message is null)
            {
                WriteTrailersOnly(context.Response, GrpcStatusCode.Internal, "Missing request message.");
            }

            return message;
        }
        catch (GrpcCallException ex)
        {
            WriteTrailersOnly(context.Response, ex.StatusCode, ex.Detail);
            return null;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client went away or broke the stream; there is nobody left to answer.
            return null;
        }
    }

    /// <summary>Writes one response message and flushes it, so streamed messages reach the client at once.</summary>
    public static Task WriteMessageAsync(HttpContext context, IMessage message, CancellationToken cancellationToken) =>
        GrpcFraming.WriteMessageAsync(context.Response.Body, message, cancellationToken).AsTask();
}
