using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MaintenanceActors.AspNetCore.Gate;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>Writes the 503 application/problem+json answer given to a request refused during maintenance.</summary>
internal sealed class MaintenanceRefusal(HttpDrainOptions options, TimeProvider timeProvider)
{
    public const string ProblemContentType = "application/problem+json";

    public Task WriteAsync(HttpContext context, GateClosure? closure)
    {
        var now = timeProvider.GetUtcNow();
        long? retryAfter = RetryAfterSeconds(closure?.Until, now);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.ContentType = ProblemContentType;
        response.Headers.CacheControl = "no-store";
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        // HTTP/2 and later forbid the Connection header; there the client multiplexes and the LB decides.
        if (options.CloseConnection && (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)))
        {
            response.Headers.Connection = "close";
        }

        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("type", options.ProblemType);
            json.WriteString("title", options.ProblemTitle);
            json.WriteNumber("status", StatusCodes.Status503ServiceUnavailable);
            json.WriteString("detail", Detail(closure));
            if (closure?.Reason is { } reason)
            {
                json.WriteString("reason", reason);
            }

            if (closure?.Until is { } until)
            {
                json.WriteString("until", until);
            }

            if (retryAfter is { } s)
            {
                json.WriteNumber("retryAfterSeconds", s);
            }

            json.WriteEndObject();
        }

        response.ContentLength = body.WrittenCount;
        return response.Body.WriteAsync(body.WrittenMemory, CancellationToken.None).AsTask();
    }

    internal long? RetryAfterSeconds(DateTimeOffset? until, DateTimeOffset now)
    {
        var cap = (long)Math.Floor(options.MaxRetryAfter.TotalSeconds);
        if (until is { } end && end > now)
        {
            return Math.Clamp((long)Math.Ceiling((end - now).TotalSeconds), 1, cap);
        }

        return options.DefaultRetryAfter is { } fallback ? Math.Min((long)Math.Ceiling(fallback.TotalSeconds), cap) : null;
    }

    private static string Detail(GateClosure? closure)
    {
        var detail = closure?.Reason is { Length: > 0 } reason
            ? $"The service is in maintenance: {reason}."
            : "The service is in maintenance.";
        return closure?.Until is { } until
            ? $"{detail} Expected back at {until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}."
            : detail;
    }
}
