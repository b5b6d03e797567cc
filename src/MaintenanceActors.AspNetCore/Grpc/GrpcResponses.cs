using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// What the gate needs of the gRPC-over-HTTP/2 protocol before a call reaches Grpc.AspNetCore: recognising a
/// call and refusing it with a trailers-only response. Everything past the gate is Grpc.AspNetCore's.
/// </summary>
internal static class GrpcResponses
{
    // Grpc.AspNetCore keeps its protocol constants internal; these are the protocol's names.
    private const string ContentType = "application/grpc";
    private const string StatusHeader = "grpc-status";
    private const string MessageHeader = "grpc-message";

    /// <summary>application/grpc, application/grpc+proto, application/grpc;... (not grpc-web), as Grpc.AspNetCore accepts them.</summary>
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    /// <summary>Ends a call that has sent nothing with a trailers-only response: HTTP 200 and one HEADERS frame carrying the status.</summary>
    public static void WriteTrailersOnly(HttpResponse response, Status status)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers[StatusHeader] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.Headers[MessageHeader] = PercentEncode(status.Detail);
        }
    }

    /// <summary>
    /// The grpc-message encoding of the gRPC HTTP/2 spec: UTF-8, with every byte outside printable ASCII
    /// (0x20-0x7E) and '%' itself written as %XX. Grpc.AspNetCore and Grpc.Net.Client encode and decode the
    /// same way but do not expose their helpers.
    /// </summary>
    public static string PercentEncode(string message)
    {
        if (!message.AsSpan().ContainsAnyExceptInRange(' ', '~') && !message.Contains('%'))
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var encoded = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
