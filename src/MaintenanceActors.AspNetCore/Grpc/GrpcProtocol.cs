using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>gRPC-over-HTTP/2 conventions: recognising a call and sending its status.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";

    /// <summary>application/grpc, application/grpc+proto, application/grpc;... (not grpc-web).</summary>
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    public static void StartResponse(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
    }

    /// <summary>Ends a call with nothing sent yet as a trailers-only response: one HEADERS frame carrying the status.</summary>
    public static void WriteTrailersOnly(HttpResponse response, GrpcStatusCode code, string? message)
    {
        StartResponse(response);
        response.Headers[StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(message))
        {
            response.Headers[MessageHeader] = PercentEncode(message);
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
            response.AppendTrailer(StatusHeader, ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(message))
            {
                response.AppendTrailer(MessageHeader, PercentEncode(message));
            }
        }
    }

    public static bool HasStatus(HttpContext context)
    {
        if (context.Response.Headers.ContainsKey(StatusHeader))
        {
            return true;
        }

        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        return trailers is not null && trailers.ContainsKey(StatusHeader);
    }

    /// <summary>grpc-message encoding: UTF-8, with bytes outside printable ASCII and '%' written as %XX.</summary>
    public static string PercentEncode(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needsEncoding = true;
                break;
            }
        }

        if (!needsEncoding)
        {
            return message;
        }

        var builder = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                builder.Append('%').Append(((int)b).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }

        return builder.ToString();
    }
}
